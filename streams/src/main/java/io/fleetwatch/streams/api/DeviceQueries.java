package io.fleetwatch.streams.api;

import io.fleetwatch.avro.CheckState;
import io.fleetwatch.avro.DeviceTwin;
import java.util.List;
import java.util.Optional;

/**
 * Read access to device twins and their check states, as {@code GET /api/devices/{id}} needs it. The stores are
 * partitioned by device id: an implementation answers for the devices of this instance's partitions (all of them
 * when it runs alone); the API forwards lookups of other devices to their owner ({@link InstanceRouting}).
 * Implementations may throw {@link org.apache.kafka.streams.errors.InvalidStateStoreException} while
 * the stores are not queryable; the API answers 503 then.
 */
public interface DeviceQueries {

  /** A raised check of a device. */
  record ActiveCheck(String policyId, String checkId, CheckState state) {}

  Optional<DeviceTwin> twin(String deviceId);

  /** The raised checks of a device. */
  List<ActiveCheck> activeChecks(String deviceId);
}
