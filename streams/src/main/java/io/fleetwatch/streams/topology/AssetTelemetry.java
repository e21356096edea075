package io.fleetwatch.streams.topology;

import io.fleetwatch.avro.Asset;
import io.fleetwatch.avro.Telemetry;

/**
 * A telemetry record joined with its registry entry; lives only between the join and the evaluation
 * processor (same sub-topology, never serialized).
 *
 * @param telemetry the measurement
 * @param asset the registered asset, or {@code null} when the device is not in the registry
 */
record AssetTelemetry(Telemetry telemetry, Asset asset) {}
