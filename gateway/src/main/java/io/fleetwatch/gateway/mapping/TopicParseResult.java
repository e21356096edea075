package io.fleetwatch.gateway.mapping;

/** Outcome of {@link MqttTopicParser#parse}: a valid {@link MqttTopic} or a {@link ParseResult.Rejected}. */
public sealed interface TopicParseResult permits MqttTopic, ParseResult.Rejected {}
