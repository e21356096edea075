package io.fleetwatch.app.cli;

import io.fleetwatch.streams.FleetStreamsApp;
import io.fleetwatch.streams.StreamsAppConfig;
import io.fleetwatch.streams.api.ApiServer;
import io.fleetwatch.streams.policy.PolicyCatalogue;
import io.fleetwatch.streams.policy.PolicyFormatException;
import io.fleetwatch.streams.policy.PolicyLoader;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code fleetwatch streams}: the streams app and its HTTP API against an external Kafka cluster. */
@Command(name = "streams", description = {
    "Run the streams app (device twins, policies, incidents) and its HTTP API against external Kafka.",
    "Configuration from FLEETWATCH_* environment variables and an optional properties file (see README)."})
public final class StreamsCommand implements Callable<Integer> {
  /** How long a clean stop may take (commit, close the stream threads); deployments give more before SIGKILL. */
  public static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(20);

  @Spec CommandSpec spec;

  @Option(names = "--config", paramLabel = "FILE", description = "Properties file; environment variables win.")
  Path config;

  @Override
  public Integer call() throws Exception {
    Map<String, String> settings = Settings.forStreams(config, RenamedVariables.current(System.getenv()));
    StreamsAppConfig appConfig = StreamsAppConfig.from(settings);
    PolicyCatalogue catalogue;
    try {
      catalogue = new PolicyLoader().loadCatalogue(appConfig.policies());
    } catch (PolicyFormatException e) {
      spec.commandLine().getErr().println("fleetwatch: " + e.getMessage());
      return 2;
    }
    PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new JvmMemoryMetrics().bindTo(metrics);
    new JvmGcMetrics().bindTo(metrics);
    new JvmThreadMetrics().bindTo(metrics);
    new ProcessorMetrics().bindTo(metrics);
    CountDownLatch stopped = new CountDownLatch(1);
    FleetStreamsApp app = new FleetStreamsApp(appConfig, catalogue, metrics, Clock.systemUTC());
    ApiServer api = app.api().readToken(appConfig.apiReadToken())
        .server(new InetSocketAddress(appConfig.httpHost(), appConfig.httpPort()), app::state, metrics);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      api.close();
      app.close(CLOSE_TIMEOUT);
      stopped.countDown();
    }, "fleetwatch-streams-stop"));
    app.start();
    api.start();
    stopped.await();
    return 0;
  }
}
