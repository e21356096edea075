package io.fleetwatch.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link MqttPublishClient} against a real broker (Debian's mosquitto as a child process) with a Paho subscriber:
 * every QoS 1 message arrives once with its topic and payload, the server's Receive Maximum caps the window, the
 * Keep Alive is kept, and a broker that disconnects or goes away fails what is in flight without hanging.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS) // a hang fails the test instead of stalling the build
class MqttPublishClientTest {
  private static final Path MOSQUITTO = Path.of("/usr/sbin/mosquitto");
  private static final Duration DEADLINE = Duration.ofSeconds(30);

  private final AtomicLong acknowledged = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final List<Long> acknowledgedTags = Collections.synchronizedList(new ArrayList<>());
  private final MqttPublishClient.Listener listener = new MqttPublishClient.Listener() {
    @Override
    public void acknowledged(long tag) {
      acknowledgedTags.add(tag);
      acknowledged.incrementAndGet();
    }

    @Override
    public void failed(long tag) {
      failed.incrementAndGet();
    }
  };
  private final List<AutoCloseable> resources = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    Collections.reverse(resources);
    for (AutoCloseable r : resources) {
      r.close();
    }
  }

  @Test
  void everyQos1MessageArrivesOnceWithItsTopicAndPayload() throws Exception {
    MosquittoBroker broker = broker(1000, List.of());
    List<String> received = subscribe(broker, "bench/#");
    MqttPublishClient client = connect(broker, "pub-all", 100, 60);
    int n = 5_000;

    for (int i = 0; i < n; i++) {
      client.awaitWindow();
      client.publish(MqttPublishClient.topic(topicOf(i)), payloadOf(i).getBytes(StandardCharsets.UTF_8), 1, i);
      if (i % 7 == 0) {
        client.flush();
      }
    }
    client.flush();

    await(() -> acknowledged.get() == n && received.size() >= n, "all acknowledged and received");
    assertEquals(0, failed.get());
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      expected.add(topicOf(i) + " " + payloadOf(i));
    }
    List<String> got = new ArrayList<>(received);
    Collections.sort(expected);
    Collections.sort(got);
    assertEquals(expected, got, "each message exactly once, with its topic and payload");
    List<Long> tags = new ArrayList<>(acknowledgedTags);
    Collections.sort(tags);
    for (int i = 0; i < n; i++) {
      assertEquals(i, tags.get(i), "each publish acknowledged once with its own tag");
    }
    assertNull(client.failure());
  }

  @Test
  void qos0MessagesArriveAndCountAsAcknowledgedOnceBuffered() throws Exception {
    MosquittoBroker broker = broker(1000, List.of());
    List<String> received = subscribe(broker, "bench/#");
    MqttPublishClient client = connect(broker, "pub-qos0", 100, 60);

    for (int i = 0; i < 100; i++) {
      client.publish(MqttPublishClient.topic(topicOf(i)), payloadOf(i).getBytes(StandardCharsets.UTF_8), 0, i);
    }
    client.flush();

    assertEquals(100, acknowledged.get());
    await(() -> received.size() >= 100, "all QoS 0 messages received");
    assertEquals(100, received.size());
  }

  @Test
  void theServersReceiveMaximumCapsTheWindow() throws Exception {
    MosquittoBroker broker = broker(5, List.of());
    List<String> received = subscribe(broker, "bench/#");
    MqttPublishClient client = connect(broker, "pub-window", 100, 60);
    assertEquals(5, client.window(), "min(ours 100, mosquitto max_inflight_messages 5)");

    // Five publishes fill the window; they are buffered, not yet sent, so none can be acknowledged.
    for (int i = 0; i < 5; i++) {
      assertEquals(0, client.awaitWindow());
      client.publish(MqttPublishClient.topic(topicOf(i)), payloadOf(i).getBytes(StandardCharsets.UTF_8), 1, i);
    }
    assertEquals(0, acknowledged.get());
    // The sixth slot frees only once the window is flushed and a PUBACK returns.
    assertTrue(client.awaitWindow() > 0);
    assertTrue(acknowledged.get() >= 1, "a slot was freed by an acknowledgement");
    client.publish(MqttPublishClient.topic(topicOf(5)), payloadOf(5).getBytes(StandardCharsets.UTF_8), 1, 5);
    for (int i = 6; i < 500; i++) {
      client.awaitWindow();
      client.publish(MqttPublishClient.topic(topicOf(i)), payloadOf(i).getBytes(StandardCharsets.UTF_8), 1, i);
    }
    client.flush();

    await(() -> acknowledged.get() == 500 && received.size() >= 500, "all acknowledged and received");
    assertEquals(500, received.size());
    assertEquals(0, failed.get());
  }

  @Test
  void ourWindowAppliesWhenSmallerThanTheServers() throws Exception {
    MosquittoBroker broker = broker(1000, List.of());
    MqttPublishClient client = connect(broker, "pub-small", 3, 60);

    assertEquals(3, client.window());
  }

  @Test
  void theServerKeepAliveReplacesOurs() throws Exception {
    MosquittoBroker broker = broker(1000, List.of("max_keepalive 10"));
    MqttPublishClient client = connect(broker, "pub-server-keepalive", 10, 60);

    assertEquals(10, client.keepAliveSeconds(), "mosquitto's max_keepalive as the CONNACK's Server Keep Alive");
  }

  @Test
  void anIdleConnectionIsKeptWithPings() throws Exception {
    MosquittoBroker broker = broker(1000, List.of());
    List<String> received = subscribe(broker, "bench/#");
    MqttPublishClient client = connect(broker, "pub-idle", 10, 1);
    assertEquals(1, client.keepAliveSeconds());

    // Idle for several Keep Alive periods: the broker drops a connection after 1.5 s without a packet.
    await(() -> client.pingResponses() >= 5 || client.failure() != null, "pings answered");
    assertNull(client.failure());
    client.awaitWindow();
    client.publish(MqttPublishClient.topic(topicOf(0)), payloadOf(0).getBytes(StandardCharsets.UTF_8), 1, 0);
    client.flush();
    await(() -> acknowledged.get() == 1 && received.size() == 1, "a publish after the idle time");
  }

  @Test
  void aSessionTakeoverFailsWhatIsInFlightAndEveryLaterPublish() throws Exception {
    MosquittoBroker broker = broker(1000, List.of());
    MqttPublishClient client = connect(broker, "pub-taken-over", 100, 60);
    for (int i = 0; i < 10; i++) {
      client.awaitWindow();
      client.publish(MqttPublishClient.topic(topicOf(i)), payloadOf(i).getBytes(StandardCharsets.UTF_8), 1, i);
    }

    // A second connection with the same client id takes the session over: mosquitto disconnects the first.
    subscriberWithId(broker, "pub-taken-over");

    await(() -> failed.get() == 10, "the ten unsent publishes in flight failed");
    assertNotNull(client.failure());
    assertEquals(0, acknowledged.get());
    assertEquals(0, client.awaitWindow());
    client.publish(MqttPublishClient.topic(topicOf(10)), new byte[1], 1, 10);
    assertEquals(11, failed.get());
  }

  @Test
  void aBrokerThatGoesAwayFailsWhatIsInFlightAndNothingHangs() throws Exception {
    MosquittoBroker broker = MosquittoBroker.start(MOSQUITTO, MosquittoBroker.freePort(), 1000);
    MqttPublishClient client = connect(broker, "pub-orphan", 5, 60);
    for (int i = 0; i < 5; i++) {
      client.awaitWindow();
      client.publish(MqttPublishClient.topic(topicOf(i)), payloadOf(i).getBytes(StandardCharsets.UTF_8), 1, i);
    }

    broker.close();

    await(() -> failed.get() == 5, "the five publishes in flight failed");
    assertNotNull(client.failure());
    // A full window does not block a publisher once the connection failed; every further publish fails.
    for (int i = 5; i < 20; i++) {
      client.awaitWindow();
      client.publish(MqttPublishClient.topic(topicOf(i)), payloadOf(i).getBytes(StandardCharsets.UTF_8), 1, i);
    }
    client.flush();
    assertEquals(20, failed.get());
    assertEquals(0, acknowledged.get());
  }

  @Test
  void aRefusedConnectionIsAnError() throws Exception {
    MosquittoBroker broker = broker(1000, List.of("allow_anonymous false"));
    IOException e = assertThrows(IOException.class,
        () -> connect(broker, "pub-refused", 10, 60));
    assertTrue(e.getMessage().contains("CONNACK reason code 0x87"), e.getMessage()); // not authorized
  }

  @Test
  void pubacksInAnyOrderWithTheirReasonCodesThenAServerDisconnect() throws Exception {
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      CompletableFuture<MqttPublishClient> connecting = connectAsync(server, "pub-scripted");
      try (Socket socket = server.accept()) {
        DataInputStream in = new DataInputStream(socket.getInputStream());
        OutputStream out = socket.getOutputStream();
        byte[] connect = readPacket(in);
        byte[] id = "pub-scripted".getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        expected.write(new byte[] {0x10, (byte) (13 + id.length), 0, 4, 'M', 'Q', 'T', 'T', 5, 0x02, 0, 60, 0, 0,
            (byte) id.length});
        expected.write(id);
        assertArrayEquals(expected.toByteArray(), connect, "CONNECT: MQTT 5, Clean Start, Keep Alive 60, no properties");
        // CONNACK: success; Receive Maximum 3 and a User Property the client skips
        out.write(new byte[] {0x20, 13, 0, 0, 10, 0x21, 0, 3, 0x26, 0, 1, 'k', 0, 1, 'v'});
        MqttPublishClient client = connecting.get(10, TimeUnit.SECONDS);
        assertEquals(3, client.window());

        for (int tag = 10; tag < 13; tag++) {
          assertEquals(0, client.awaitWindow());
          client.publish(MqttPublishClient.topic("t/ü"), new byte[] {(byte) tag}, 1, tag);
        }
        client.flush();
        int[] ids = new int[3];
        for (int k = 0; k < 3; k++) {
          byte[] publish = readPacket(in);
          assertEquals(0x32, publish[0] & 0xFF, "PUBLISH QoS 1, not DUP, not retained");
          byte[] topic = "t/ü".getBytes(StandardCharsets.UTF_8);
          assertEquals(topic.length, publish[3]);
          assertArrayEquals(topic, Arrays.copyOfRange(publish, 4, 4 + topic.length));
          int p = 4 + topic.length;
          ids[k] = (publish[p] & 0xFF) << 8 | publish[p + 1] & 0xFF;
          assertEquals(0, publish[p + 2], "no properties");
          assertEquals(10 + k, publish[p + 3], "payload");
          assertEquals(p + 4, publish.length);
        }
        assertTrue(ids[0] != ids[1] && ids[1] != ids[2] && ids[0] != ids[2] && ids[0] * ids[1] * ids[2] != 0);

        // PUBACKs out of order: the third (short form: success), the first (0x10 no matching subscribers: success),
        // the second (0x87 not authorized: failed, with an empty property length)
        out.write(new byte[] {0x40, 2, (byte) (ids[2] >>> 8), (byte) ids[2]});
        out.write(new byte[] {0x40, 3, (byte) (ids[0] >>> 8), (byte) ids[0], 0x10});
        out.write(new byte[] {0x40, 4, (byte) (ids[1] >>> 8), (byte) ids[1], (byte) 0x87, 0});
        await(() -> acknowledged.get() + failed.get() == 3, "three PUBACKs handled");
        assertEquals(List.of(10L, 12L), acknowledgedTags.stream().sorted().toList());
        assertEquals(1, failed.get());

        client.awaitWindow();
        client.publish(MqttPublishClient.topic("t/ü"), new byte[] {13}, 1, 13);
        client.flush();
        readPacket(in);
        out.write(new byte[] {(byte) 0xE0, 1, (byte) 0x98}); // DISCONNECT: administrative action
        await(() -> failed.get() == 2, "the publish in flight failed with the connection");
        assertTrue(client.failure().getMessage().contains("reason code 0x98"), client.failure().toString());
      }
    }
  }

  @Test
  void closeSendsADisconnect() throws Exception {
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      CompletableFuture<MqttPublishClient> connecting = connectAsync(server, "pub-closing");
      try (Socket socket = server.accept()) {
        DataInputStream in = new DataInputStream(socket.getInputStream());
        readPacket(in);
        socket.getOutputStream().write(new byte[] {0x20, 3, 0, 0, 0});
        MqttPublishClient client = connecting.get(10, TimeUnit.SECONDS);
        assertEquals(100, client.window(), "ours, without a server Receive Maximum");

        client.close();

        assertArrayEquals(new byte[] {(byte) 0xE0, 0}, readPacket(in), "DISCONNECT, normal disconnection");
        assertEquals(-1, in.read(), "then the connection closes");
      }
    }
  }

  private CompletableFuture<MqttPublishClient> connectAsync(ServerSocket server, String id) {
    return CompletableFuture.supplyAsync(() -> {
      try {
        MqttPublishClient client = MqttPublishClient.connect("tcp://127.0.0.1:" + server.getLocalPort(), id,
            new MqttPublishClient.Options(100, 60, Duration.ofSeconds(10)), listener, "test-reader-" + id);
        resources.add(client);
        return client;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
  }

  /** One whole MQTT packet as sent: fixed header, remaining length, body. */
  private static byte[] readPacket(DataInputStream in) throws IOException {
    ByteArrayOutputStream packet = new ByteArrayOutputStream();
    packet.write(in.readUnsignedByte());
    int remaining = 0;
    for (int shift = 0; ; shift += 7) {
      int digit = in.readUnsignedByte();
      packet.write(digit);
      remaining |= (digit & 0x7F) << shift;
      if ((digit & 0x80) == 0) {
        break;
      }
    }
    byte[] body = new byte[remaining];
    in.readFully(body);
    packet.write(body);
    return packet.toByteArray();
  }

  private static String topicOf(int i) {
    return "bench/zone-é/" + (i % 13);
  }

  private static String payloadOf(int i) {
    return "{\"n\":" + i + ",\"unit\":\"°C\"}";
  }

  private MosquittoBroker broker(int maxInflight, List<String> extra) throws Exception {
    // mosquitto uses the last allow_anonymous line, so a test's own comes after the default one
    MosquittoBroker broker = MosquittoBroker.start(MOSQUITTO, MosquittoBroker.freePort(), maxInflight, extra);
    resources.add(broker);
    return broker;
  }

  private MqttPublishClient connect(MosquittoBroker broker, String id, int window, int keepAlive) throws IOException {
    MqttPublishClient client = MqttPublishClient.connect(broker.uri(), id,
        new MqttPublishClient.Options(window, keepAlive, Duration.ofSeconds(10)), listener, "test-reader-" + id);
    resources.add(client);
    return client;
  }

  /** A Paho subscriber at QoS 1 whose received messages are {@code "topic payload"}. */
  private List<String> subscribe(MosquittoBroker broker, String filter) throws MqttException {
    List<String> received = Collections.synchronizedList(new ArrayList<>());
    MqttClient subscriber = subscriberWithId(broker, "sub-" + System.nanoTime());
    subscriber.setCallback(new MqttCallback() {
      @Override
      public void disconnected(MqttDisconnectResponse response) {
      }

      @Override
      public void mqttErrorOccurred(MqttException exception) {
      }

      @Override
      public void messageArrived(String topic, MqttMessage message) {
        received.add(topic + " " + new String(message.getPayload(), StandardCharsets.UTF_8));
      }

      @Override
      public void deliveryComplete(IMqttToken token) {
      }

      @Override
      public void connectComplete(boolean reconnect, String serverURI) {
      }

      @Override
      public void authPacketArrived(int reasonCode, MqttProperties properties) {
      }
    });
    subscriber.subscribe(filter, 1);
    return received;
  }

  private MqttClient subscriberWithId(MosquittoBroker broker, String id) throws MqttException {
    MqttClient subscriber = new MqttClient(broker.uri(), id, new MemoryPersistence());
    MqttConnectionOptions options = new MqttConnectionOptions();
    options.setCleanStart(true);
    subscriber.connect(options);
    resources.add(() -> {
      if (subscriber.isConnected()) {
        subscriber.disconnect();
      }
      subscriber.close();
    });
    return subscriber;
  }

  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    while (!condition.getAsBoolean()) {
      assertTrue(System.nanoTime() - deadline < 0, "timed out waiting for: " + what);
      TimeUnit.MILLISECONDS.sleep(5);
    }
  }
}
