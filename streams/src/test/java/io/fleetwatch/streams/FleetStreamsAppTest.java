package io.fleetwatch.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetwatch.streams.policy.PolicyLoader;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FleetStreamsAppTest {

  @Test
  void buildsAClientWithEnforcedExplicitNamingAndBindsItsMetrics(@TempDir Path stateDir) {
    // Given the production configuration (explicit internal resource naming enforced)
    StreamsAppConfig config = StreamsAppConfig.builder()
        .bootstrapServers("127.0.0.1:1").stateDir(stateDir).build();
    SimpleMeterRegistry registry = new SimpleMeterRegistry();

    // When the app is created (not started: no broker needed)
    try (FleetStreamsApp app = new FleetStreamsApp(config,
        new PolicyLoader().loadCatalogue(Path.of("../policies")), registry, Clock.systemUTC())) {
      // Then the client exists, is not running, and its store names are the documented ones
      assertEquals(KafkaStreams.State.CREATED, app.state());
      assertFalse(app.isRunning());
      String description = app.topology().describe().toString();
      for (String store : new String[] {"assets", "incidents", "device-twins", "device-check-states", "check-states",
          "incidents-by-dedup", "services", "stakeholders", "violations-by-site",
          "incident-commands-by-site"}) {
        assertTrue(description.contains(store), store);
      }
      assertTrue(app.close(Duration.ofSeconds(10)));
    }
  }
}
