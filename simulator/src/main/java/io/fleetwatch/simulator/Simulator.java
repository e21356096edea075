package io.fleetwatch.simulator;

import io.fleetwatch.schemas.DeviceChannel;
import io.fleetwatch.simulator.SimulatedDevice;
import io.fleetwatch.simulator.Signal;
import io.fleetwatch.simulator.mqtt.MqttPublisher;
import io.fleetwatch.simulator.payload.EventPayload;
import io.fleetwatch.simulator.payload.StatePayload;
import io.fleetwatch.simulator.payload.TelemetryPayload;
import io.fleetwatch.simulator.scenario.FaultPlan;
import io.fleetwatch.simulator.scenario.Scenario;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes a simulated fleet to {@code <root>/<site>/<device>/<channel>}: telemetry of every device in turn at a
 * target total rate (a device's telemetry is also its heartbeat), a state report per device when it first
 * publishes and then every {@code stateInterval}, and the events, state changes, silences and replays of the
 * {@link FaultPlan}. Each device has one sequence counter over all channels, starting at the start time in epoch
 * milliseconds, so it keeps increasing across simulator restarts. Device timestamps come from the injected clock
 * (shifted by clock-skew steps). One publishing thread ticks every 20 ms.
 */
public final class Simulator implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Simulator.class);
  private static final long TICK_MILLIS = 20;
  private static final double HEARTBEAT_WARN_SECONDS = 30;

  private final SimulatorConfig config;
  private final List<SimulatedDevice> devices;
  private final Map<String, Integer> indexOf = new HashMap<>();
  private final FaultPlan plan;
  private final Clock clock;
  private final MessageSink sink;
  private final Random random;
  private final long[] seq;
  private final boolean[] announced;
  private final Map<String, ArrayDeque<byte[]>> recent = new HashMap<>();
  private final TelemetryPayload payload = new TelemetryPayload();
  private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "fleetwatch-simulator");
    t.setDaemon(true);
    return t;
  });
  private final AtomicLong telemetry = new AtomicLong();
  private final AtomicLong events = new AtomicLong();
  private final AtomicLong states = new AtomicLong();
  private final AtomicLong replayed = new AtomicLong();
  private final AtomicLong silenced = new AtomicLong();
  private final FaultPlan.Actions actions = new FaultPlan.Actions() {
    @Override
    public void event(SimulatedDevice device, String type, Map<String, String> attributes) {
      publishEvent(device, type, attributes);
    }

    @Override
    public void reportState(SimulatedDevice device) {
      publishState(device);
    }

    @Override
    public void replay(SimulatedDevice device, int count) {
      publishReplay(device, count);
    }
  };
  private volatile long startedAtMillis = -1;
  private long lastElapsed = -1;
  private long telemetryDue;
  private long stateDue;
  private int telemetryCursor;
  private int stateCursor;
  private long elapsed;

  /** A simulator publishing over MQTT as configured. */
  public Simulator(SimulatorConfig config, List<SimulatedDevice> devices, List<Scenario> scenarios, Clock clock) {
    this(config, devices, new FaultPlan(scenarios, devices, config.seed()), clock, new MqttPublisher(config));
  }

  /**
   * A simulator publishing to {@code sink}.
   *
   * @param plan the scenarios bound to {@code devices}
   */
  public Simulator(SimulatorConfig config, List<SimulatedDevice> devices, FaultPlan plan, Clock clock,
      MessageSink sink) {
    if (devices.isEmpty()) {
      throw new IllegalArgumentException("the simulated fleet has no devices");
    }
    this.config = config;
    this.devices = List.copyOf(devices);
    for (int i = 0; i < this.devices.size(); i++) {
      if (indexOf.put(this.devices.get(i).deviceId(), i) != null) {
        throw new IllegalArgumentException("device " + this.devices.get(i).deviceId() + " appears twice in the fleet");
      }
    }
    this.plan = plan;
    this.clock = clock;
    this.sink = sink;
    this.random = new Random(config.seed());
    this.seq = new long[devices.size()];
    this.announced = new boolean[devices.size()];
    for (SimulatedDevice d : this.devices) {
      int depth = plan.replayDepth(d.deviceId());
      if (depth > 0) {
        recent.put(d.deviceId(), new ArrayDeque<>(depth));
      }
    }
  }

  /** Connects and starts publishing on the simulator's thread; fails if a connection cannot be made. */
  public void start() throws Exception {
    open();
    ticker.scheduleAtFixedRate(this::tickSafely, 0, TICK_MILLIS, TimeUnit.MILLISECONDS);
  }

  /**
   * Connects and fixes the start time without starting the publishing thread: the caller drives {@link #tick()}
   * (tests with a controlled clock).
   */
  public void open() throws Exception {
    double perDevice = devices.size() / config.messagesPerSecond();
    LOG.info("simulating {} devices at {} msg/s (each device every {} s) over {} connections: {}", devices.size(),
        config.messagesPerSecond(), String.format("%.2f", perDevice), config.connections(), config);
    if (perDevice > HEARTBEAT_WARN_SECONDS) {
      LOG.warn("each device publishes only every {} s at this rate; heartbeat-loss policies may fire",
          String.format("%.0f", perDevice));
    }
    for (Scenario s : plan.scenarios()) {
      LOG.info("scenario {} from {} (start {}, repeat {}): {}", s.name(), s.source(), s.schedule().start(),
          s.schedule().repeats() ? s.schedule().repeat() : "never", s.description().strip());
    }
    sink.start();
    long now = clock.millis();
    java.util.Arrays.fill(seq, now);
    startedAtMillis = now;
  }

  /** When publishing started (the origin of every scenario schedule); null before {@link #open()}. */
  public Instant startedAt() {
    return startedAtMillis < 0 ? null : Instant.ofEpochMilli(startedAtMillis);
  }

  /** The scenarios bound to the fleet, with their expectations. */
  public FaultPlan plan() {
    return plan;
  }

  /** Messages the broker accepted (QoS 1) or that were written (QoS 0). */
  public long published() {
    return sink.published();
  }

  /** Publishes that failed or were not sent because the broker did not take them in time. */
  public long notPublished() {
    return sink.notPublished();
  }

  /** Messages handed to the sink per channel, replays, and messages not sent because the device was silenced. */
  public String counts() {
    return "telemetry=" + telemetry.get() + " events=" + events.get() + " states=" + states.get() + " replayed="
        + replayed.get() + " silenced=" + silenced.get();
  }

  private void tickSafely() {
    try {
      tick();
    } catch (RuntimeException e) {
      LOG.warn("simulator tick failed: {}", e.toString());
    }
  }

  /** Publishes what is due at the clock's current time. */
  public void tick() {
    long now = clock.millis();
    elapsed = now - startedAtMillis;
    plan.actionsBetween(lastElapsed, elapsed, actions);
    lastElapsed = elapsed;

    long target = (long) (elapsed * config.messagesPerSecond() / 1000.0);
    // never try to catch up more than one second of backlog after a stall
    long backlog = Math.min(target - telemetryDue, (long) Math.ceil(config.messagesPerSecond()));
    for (long i = 0; i < backlog; i++) {
      int index = telemetryCursor;
      telemetryCursor = (telemetryCursor + 1) % devices.size();
      publishTelemetry(index);
    }
    telemetryDue = target;

    long stateTarget = elapsed * devices.size() / config.stateInterval().toMillis();
    long stateBacklog = Math.min(stateTarget - stateDue, devices.size());
    for (long i = 0; i < stateBacklog; i++) {
      int index = stateCursor;
      stateCursor = (stateCursor + 1) % devices.size();
      publishState(devices.get(index));
    }
    stateDue = stateTarget;
  }

  private long deviceTime(SimulatedDevice device) {
    return startedAtMillis + elapsed + plan.skewMillis(device, elapsed);
  }

  private void publishTelemetry(int index) {
    SimulatedDevice device = devices.get(index);
    if (plan.silenced(device, elapsed)) {
      silenced.incrementAndGet();
      return;
    }
    if (!announced[index]) {
      announced[index] = true;
      publishState(device); // a device reports its state when it comes up
    }
    payload.begin(deviceTime(device), ++seq[index]);
    double seconds = elapsed / 1000.0;
    for (Signal signal : device.signals()) {
      double normal = signal.valueAt(seconds, random.nextGaussian());
      payload.metric(signal.metric(), plan.metric(device, signal.metric(), elapsed, normal));
    }
    byte[] bytes = payload.end();
    ArrayDeque<byte[]> history = recent.get(device.deviceId());
    if (history != null) {
      if (history.size() == plan.replayDepth(device.deviceId())) {
        history.removeFirst();
      }
      history.addLast(bytes);
    }
    telemetry.incrementAndGet();
    sink.publish(index, DeviceChannel.TELEMETRY.mqttTopic(config.topicRoot(), device.site(), device.deviceId()), bytes);
  }

  private void publishEvent(SimulatedDevice device, String type, Map<String, String> attributes) {
    int index = indexOf.get(device.deviceId());
    if (plan.silenced(device, elapsed)) {
      silenced.incrementAndGet();
      return;
    }
    events.incrementAndGet();
    sink.publish(index, DeviceChannel.EVENT.mqttTopic(config.topicRoot(), device.site(), device.deviceId()),
        EventPayload.write(deviceTime(device), ++seq[index], type, attributes));
  }

  private void publishState(SimulatedDevice device) {
    int index = indexOf.get(device.deviceId());
    if (plan.silenced(device, elapsed)) {
      silenced.incrementAndGet();
      return;
    }
    states.incrementAndGet();
    sink.publish(index, DeviceChannel.STATE.mqttTopic(config.topicRoot(), device.site(), device.deviceId()),
        StatePayload.write(deviceTime(device), ++seq[index], plan.state(device, elapsed)));
  }

  private void publishReplay(SimulatedDevice device, int count) {
    ArrayDeque<byte[]> history = recent.get(device.deviceId());
    if (history == null || history.isEmpty()) {
      LOG.warn("replay on {}: no telemetry recorded yet to replay", device.deviceId());
      return;
    }
    int index = indexOf.get(device.deviceId());
    String topic = DeviceChannel.TELEMETRY.mqttTopic(config.topicRoot(), device.site(), device.deviceId());
    int skip = Math.max(0, history.size() - count);
    int i = 0;
    for (byte[] old : history) {
      if (i++ >= skip) {
        replayed.incrementAndGet();
        sink.publish(index, topic, old);
      }
    }
  }

  @Override
  public void close() {
    ticker.shutdownNow();
    try {
      ticker.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    sink.close();
    LOG.info("simulator stopped: {} published, {} not published ({})", sink.published(), sink.notPublished(),
        counts());
  }
}
