package io.fleetwatch.bench;

import io.fleetwatch.simulator.SimulatedDevice;
import io.fleetwatch.simulator.Signal;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;

/**
 * Publishes a generated fleet's telemetry over MQTT 5 ({@link MqttPublishClient}, which costs a few microseconds of
 * CPU per message where a general client costs tens: the load generator shares the machine it measures) at a target
 * total rate from several connections, each owning the devices {@code index % connections == connection}, and
 * injects faults on request.
 *
 * <p>Telemetry is {@code {"ts":..,"seq":n,"metrics":{..}}} on {@code fleet/{site}/{device}/telemetry} with each
 * asset class's normal signals (daily cycle and noise from the simulator's {@link Signal}). A fault is
 * {@link #BREACH_READINGS} consecutive chiller readings with {@code supply_temp_c} {@value #BREACH_VALUE}, outside
 * SAF-01's envelope [4, 12], published back to back by the connection that owns the device, so no normal reading
 * of that device can be ordered between them. The moment the last of them (the one that makes SAF-01 raise) is
 * handed to the client is reported to the fault listener; normal readings resume afterwards.
 *
 * <p>Pacing: each connection's thread publishes its share of the rate on a fixed schedule (message n is due at
 * start + n / rate, so a late message is followed by catch-up; a thread more than 200 ms behind starts a new
 * schedule instead of bursting the backlog out). A thread sleeps at least {@link #TICK_NANOS} and then publishes what
 * fell due as one write (messages are late by at most that tick), the fault's readings at once. What slows it is counted, so
 * the report can say whether the publisher offered the target rate: {@link #published()} against the target is the
 * offered rate, and {@link #windowWaitNanos()} is the time the threads spent waiting for a free slot in the window of
 * unacknowledged publishes (back-pressure from the broker and the pipeline, not the publisher's own limit).
 */
final class FleetPublisher implements AutoCloseable {
  static final int BREACH_READINGS = 3;
  static final double BREACH_VALUE = 15.0;
  /** How far a publishing thread may fall behind its schedule and still catch up. */
  private static final long MAX_CATCH_UP_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
  /** Shortest sleep of a publishing thread: messages falling due within it are published together when it ends. */
  static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

  private final List<SimulatedDevice> devices;
  private final byte[][] topics;
  private final AtomicLongArray seq;
  private final int qos;
  private final List<MqttPublishClient> clients = new ArrayList<>();
  private final List<Queue<Integer>> faults = new ArrayList<>();
  private final AtomicLong published = new AtomicLong();
  private final AtomicLong acknowledged = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final long startMillis = System.currentTimeMillis();
  private final List<Thread> threads = new ArrayList<>();
  private final AtomicLong windowWaitNanos = new AtomicLong();
  private volatile FaultListener faultListener = (d, t, n) -> { };
  private volatile double rate;
  private volatile boolean running = true;

  FleetPublisher(String brokerUri, List<SimulatedDevice> devices, int connections, int qos, int window)
      throws IOException {
    this.devices = List.copyOf(devices);
    this.qos = qos;
    this.topics = new byte[devices.size()][];
    this.seq = new AtomicLongArray(devices.size());
    for (int i = 0; i < topics.length; i++) {
      SimulatedDevice d = devices.get(i);
      topics[i] = MqttPublishClient.topic("fleet/" + d.site() + "/" + d.deviceId() + "/telemetry");
    }
    MqttPublishClient.Listener outcomes = new MqttPublishClient.Listener() {
      @Override
      public void acknowledged(long tag) {
        acknowledged.incrementAndGet();
      }

      @Override
      public void failed(long tag) {
        failed.incrementAndGet();
      }
    };
    try {
      for (int c = 0; c < connections; c++) {
        clients.add(MqttPublishClient.connect(brokerUri, "bench-fleet-" + c + "-" + Long.toHexString(System.nanoTime()),
            new MqttPublishClient.Options(window, 60, Duration.ofSeconds(15)), outcomes, "bench-fleet-reader-" + c));
        faults.add(new ConcurrentLinkedQueue<>());
      }
    } catch (IOException | RuntimeException e) {
      close();
      throw e;
    }
  }

  /** Told of each fault just before its raising reading is published. */
  @FunctionalInterface
  interface FaultListener {
    /**
     * @param nanos {@link System#nanoTime()} just before the raising reading is handed to the client
     * @param seq the raising reading's {@code seq}
     */
    void raising(SimulatedDevice device, long nanos, long seq);
  }

  void onFault(FaultListener listener) {
    this.faultListener = listener;
  }

  /** Starts (or retargets) publishing at {@code total} messages per second over all connections. */
  synchronized void rate(double total) {
    this.rate = total;
    if (threads.isEmpty()) {
      for (int c = 0; c < clients.size(); c++) {
        int connection = c;
        Thread t = new Thread(() -> publishLoop(connection), "bench-fleet-publisher-" + c);
        t.setDaemon(true);
        threads.add(t);
      }
      threads.forEach(Thread::start);
    }
  }

  /** Queues a fault on device {@code index}; its owning connection publishes it at its next tick. */
  void inject(int index) {
    faults.get(index % clients.size()).add(index);
  }

  long published() {
    return published.get();
  }

  long acknowledged() {
    return acknowledged.get();
  }

  long failed() {
    return failed.get();
  }

  /** Total time the publishing threads waited for a free slot in their window of unacknowledged publishes. */
  long windowWaitNanos() {
    return windowWaitNanos.get();
  }

  private void acquire(MqttPublishClient client) throws InterruptedException {
    if (qos == 1) {
      long waited = client.awaitWindow();
      if (waited > 0) {
        windowWaitNanos.addAndGet(waited);
      }
    }
  }

  private void publishLoop(int connection) {
    MqttPublishClient client = clients.get(connection);
    int connections = clients.size();
    List<Integer> own = new ArrayList<>();
    for (int i = connection; i < devices.size(); i += connections) {
      own.add(i);
    }
    double currentRate = -1;
    long startNanos = 0;
    long sent = 0;
    int next = 0;
    try {
      while (running) {
        double target = rate / connections;
        if (target != currentRate) {
          currentRate = target;
          startNanos = System.nanoTime();
          sent = 0;
        }
        if (target <= 0) {
          LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
          continue;
        }
        long due = startNanos + (long) (sent * 1e9 / target);
        if (System.nanoTime() - due > MAX_CATCH_UP_NANOS) {
          // Stalled (CPU starvation or a full window): start a new schedule rather than burst the backlog out, which
          // would load the pipeline with bursts it was not asked for. The missed messages lower the offered rate.
          startNanos = System.nanoTime();
          sent = 0;
          due = startNanos;
        }
        long wait = due - System.nanoTime();
        if (wait > 0) {
          client.flush(); // nothing due before then: send what is buffered
          // Sleep at least a tick, then publish everything due by then as one batch: a wake-up and a write per
          // message would cost more CPU than the message itself.
          long wake = due + Math.max(0, TICK_NANOS - wait);
          while ((wait = wake - System.nanoTime()) > 0) {
            LockSupport.parkNanos(wait);
          }
        }
        Integer fault = faults.get(connection).poll();
        if (fault != null) {
          for (int k = 0; k < BREACH_READINGS; k++) {
            acquire(client);
            if (k == BREACH_READINGS - 1) {
              faultListener.raising(devices.get(fault), System.nanoTime(), seq.get(fault));
            }
            publish(client, fault, true);
            sent++;
          }
          client.flush(); // the raising reading leaves now, whatever is due next
          continue;
        }
        int index = own.get(next);
        next = (next + 1) % own.size();
        acquire(client);
        publish(client, index, false);
        sent++;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void publish(MqttPublishClient client, int index, boolean breach) {
    SimulatedDevice device = devices.get(index);
    long now = System.currentTimeMillis();
    StringBuilder json = new StringBuilder(96).append("{\"ts\":").append(now).append(",\"seq\":")
        .append(seq.getAndIncrement(index)).append(",\"metrics\":{");
    double elapsed = (now - startMillis) / 1000.0;
    boolean first = true;
    for (Signal s : device.signals()) {
      double value = breach && "supply_temp_c".equals(s.metric()) ? BREACH_VALUE
          : s.valueAt(elapsed + index, ThreadLocalRandom.current().nextGaussian());
      // Three decimals without String.format: at 10,000 msgs/s the formatter is a visible share of the bench's CPU.
      json.append(first ? "" : ",").append('"').append(s.metric()).append("\":").append(Math.round(value * 1000) / 1000.0);
      first = false;
    }
    json.append("}}");
    published.incrementAndGet();
    client.publish(topics[index], json.toString().getBytes(StandardCharsets.UTF_8), qos, index);
  }

  @Override
  public void close() {
    running = false;
    threads.forEach(Thread::interrupt);
    for (Thread t : threads) {
      try {
        t.join(2_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    clients.forEach(MqttPublishClient::close);
  }
}
