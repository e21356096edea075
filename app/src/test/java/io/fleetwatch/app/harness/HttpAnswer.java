package io.fleetwatch.app.harness;

/**
 * One HTTP answer of a child process ({@link StreamsProcess#get(String)}, {@link GatewayProcess#get(String)}).
 *
 * @param status HTTP status, or -1 when nothing answered (not listening, timed out)
 * @param body the body, or the I/O error when nothing answered
 */
public record HttpAnswer(int status, String body) {}
