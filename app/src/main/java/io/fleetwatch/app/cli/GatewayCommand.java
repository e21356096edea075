package io.fleetwatch.app.cli;

import io.fleetwatch.embedded.InstrumentedGateway;
import io.fleetwatch.gateway.Gateway;
import io.fleetwatch.streams.api.ApiServer;
import io.fleetwatch.gateway.GatewayConfig;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code fleetwatch gateway}: the MQTT to Kafka bridge against external brokers. */
@Command(name = "gateway", description = {
    "Run the MQTT -> Kafka gateway against an external MQTT broker and Kafka cluster.",
    "Configuration from FLEETWATCH_* environment variables and an optional properties file (see README)."})
public final class GatewayCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--config", paramLabel = "FILE", description = "Properties file; environment variables win.")
  Path config;

  @Option(names = "--http-host",
      defaultValue = "${env:FLEETWATCH_HTTP_HOST:-${env:FLEETWATCH_GATEWAY_HTTP_HOST:-127.0.0.1}}",
      description = "Address of /health and /metrics (env FLEETWATCH_HTTP_HOST; default ${DEFAULT-VALUE}).")
  String httpHost;

  @Option(names = "--http-port",
      defaultValue = "${env:FLEETWATCH_HTTP_PORT:-${env:FLEETWATCH_GATEWAY_HTTP_PORT:-8081}}",
      description = "Port of /health and /metrics (env FLEETWATCH_HTTP_PORT; default ${DEFAULT-VALUE}).")
  int httpPort;

  @Override
  public Integer call() throws Exception {
    GatewayConfig gatewayConfig = GatewayConfig.fromEnvironment(RenamedVariables.current(System.getenv()),
        Settings.file(config));
    PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new JvmMemoryMetrics().bindTo(metrics);
    new JvmGcMetrics().bindTo(metrics);
    new JvmThreadMetrics().bindTo(metrics);
    CountDownLatch stopped = new CountDownLatch(1);
    new ProcessorMetrics().bindTo(metrics);
    InstrumentedGateway instrumented = InstrumentedGateway.create(gatewayConfig, metrics);
    Gateway gateway = instrumented.gateway();
    ApiServer ops = ApiServer.builder(new InetSocketAddress(httpHost, httpPort), metrics).build();
    ops.health().add("gateway", instrumented::health);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      ops.close();
      instrumented.close();
      stopped.countDown();
    }, "fleetwatch-gateway-stop"));
    ops.start();
    gateway.start();
    stopped.await();
    return 0;
  }
}
