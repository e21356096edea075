package io.fleetwatch.bench;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A minimal MQTT 5 client that only publishes, at QoS 0 or 1, over one plain TCP connection: the benches' load
 * generator, which must cost the machine it measures as little as it can (a general client such as Paho spends tens
 * of microseconds of CPU per message on its sender, receiver and callback threads and their tokens).
 *
 * <p>Protocol (MQTT 5.0, OASIS, sections 3.1-3.4 and 3.12-3.14): CONNECT with Clean Start, no Session Expiry (the
 * session ends with the connection) and the given Keep Alive; the CONNACK's reason code is checked (below 0x80 or
 * the connection fails), its Receive Maximum caps the window of unacknowledged QoS 1 publishes and its Server Keep
 * Alive replaces ours. PUBLISH carries no properties; QoS 1 packet identifiers are never reused while in flight.
 * PUBACKs are read by a reader thread in any order; a reason code of 0x80 or more counts the message as failed. A
 * DISCONNECT from the server, a protocol error or a socket error fails the connection: every message in flight is
 * reported failed, and so is every later publish. {@link #close()} waits briefly for the window to drain, then sends
 * a DISCONNECT (normal disconnection).
 *
 * <p>Cost: publishes are encoded into a buffer and written with one system call per {@link #flush()}; the
 * publishing thread flushes when it has nothing due, and {@link #awaitWindow()} flushes before it blocks on a full
 * window. The reader thread sends a PINGREQ (flushing what is buffered) when nothing was sent for half the Keep Alive,
 * so an idle or never-flushing connection is not dropped by the broker.
 *
 * <p>Threads: one thread at a time publishes ({@link #awaitWindow()}, {@link #publish}, {@link #flush()}); the
 * {@link Listener} is called on the reader thread (PUBACKs, connection failure) and on the publishing thread (QoS 0
 * messages, publishes after a failure).
 */
final class MqttPublishClient implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(MqttPublishClient.class);
  private static final int CONNECT = 1;
  private static final int CONNACK = 2;
  private static final int PUBLISH = 3;
  private static final int PUBACK = 4;
  private static final int PINGRESP = 13;
  private static final int DISCONNECT = 14;
  private static final int MAX_PACKET_ID = 0xFFFF;
  private static final int BUFFER_BYTES = 64 * 1024;
  /** Longest wait in {@link #close()} for the publishes in flight to be acknowledged. */
  private static final Duration QUIESCE = Duration.ofSeconds(1);

  /** Told how each publish ended. */
  interface Listener {
    /** A QoS 1 publish was acknowledged with a success reason code, or a QoS 0 publish was buffered for sending. */
    void acknowledged(long tag);

    /** A publish failed: a PUBACK reason code of 0x80 or more, or the connection failed or closed before its PUBACK. */
    void failed(long tag);
  }

  /**
   * Connection settings.
   *
   * @param window unacknowledged QoS 1 publishes this client allows itself (further capped by the server's Receive
   *     Maximum)
   * @param keepAliveSeconds Keep Alive asked for in CONNECT (0: none), unless the server's CONNACK sets its own
   * @param connectTimeout longest wait for the TCP connection and for the CONNACK
   */
  record Options(int window, int keepAliveSeconds, Duration connectTimeout) {
    Options {
      if (window < 1 || window > MAX_PACKET_ID) {
        throw new IllegalArgumentException("window must be 1.." + MAX_PACKET_ID + ": " + window);
      }
      if (keepAliveSeconds < 0 || keepAliveSeconds > 0xFFFF) {
        throw new IllegalArgumentException("keep alive must be 0..65535 s: " + keepAliveSeconds);
      }
      Objects.requireNonNull(connectTimeout, "connectTimeout");
    }
  }

  private final Socket socket;
  private final OutputStream out;
  private final InputStream in;
  private final Listener listener;
  private final int window;
  private final int keepAliveSeconds;
  private final int maxPacketSize;
  private final int maxQos;
  private final Semaphore slots;
  /** Per packet identifier: 1 while a QoS 1 publish with it is in flight, else 0. */
  private final AtomicIntegerArray inFlight = new AtomicIntegerArray(MAX_PACKET_ID + 1);
  /** Per packet identifier: the tag of the publish in flight with it (written before {@link #inFlight} is set). */
  private final long[] tags = new long[MAX_PACKET_ID + 1];
  private final ReentrantLock writing = new ReentrantLock();
  private final byte[] buffer = new byte[BUFFER_BYTES];
  private final Thread reader;
  private int buffered;
  private int nextPacketId = 1;
  private volatile long lastSentNanos = System.nanoTime();
  private volatile Throwable failure;
  private volatile boolean closing;
  private volatile long pingResponses;

  private MqttPublishClient(Socket socket, Listener listener, int window, int keepAliveSeconds, int maxPacketSize,
      int maxQos, String threadName) throws IOException {
    this.socket = socket;
    this.out = socket.getOutputStream();
    this.in = socket.getInputStream();
    this.listener = listener;
    this.window = window;
    this.keepAliveSeconds = keepAliveSeconds;
    this.maxPacketSize = maxPacketSize;
    this.maxQos = maxQos;
    this.slots = new Semaphore(window);
    this.reader = new Thread(this::readLoop, threadName);
    this.reader.setDaemon(true);
  }

  /**
   * Connects to {@code brokerUri} ({@code tcp://host:port}) as {@code clientId} and starts the reader thread,
   * named {@code readerThreadName}.
   *
   * @throws IOException when the connection fails or the server refuses it (the CONNACK's reason code)
   */
  static MqttPublishClient connect(String brokerUri, String clientId, Options options, Listener listener,
      String readerThreadName) throws IOException {
    URI uri = URI.create(brokerUri);
    if (!"tcp".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null) {
      throw new IllegalArgumentException("only tcp://host:port brokers are supported: " + brokerUri);
    }
    int port = uri.getPort() < 0 ? 1883 : uri.getPort();
    int timeoutMillis = (int) Math.max(1, Math.min(Integer.MAX_VALUE, options.connectTimeout().toMillis()));
    Socket socket = new Socket();
    try {
      socket.setTcpNoDelay(true); // writes are batched here; each flush should leave at once
      socket.connect(new InetSocketAddress(uri.getHost(), port), timeoutMillis);
      socket.setSoTimeout(timeoutMillis);
      OutputStream out = socket.getOutputStream();
      out.write(connectPacket(clientId, options.keepAliveSeconds()));
      out.flush();
      Connack connack = readConnack(socket.getInputStream());
      if (connack.reasonCode() >= 0x80) {
        throw new IOException("the broker refused the connection: CONNACK reason code 0x"
            + Integer.toHexString(connack.reasonCode()));
      }
      int keepAlive = connack.serverKeepAlive() >= 0 ? connack.serverKeepAlive() : options.keepAliveSeconds();
      // Woken every half Keep Alive to send a PINGREQ when nothing else was sent; without Keep Alive, blocks.
      socket.setSoTimeout(keepAlive == 0 ? 0 : keepAlive * 500);
      MqttPublishClient client = new MqttPublishClient(socket, listener,
          Math.min(options.window(), connack.receiveMaximum()), keepAlive, connack.maximumPacketSize(),
          connack.maximumQos(), readerThreadName);
      client.reader.start();
      return client;
    } catch (IOException | RuntimeException e) {
      socket.close();
      throw e;
    }
  }

  /** A topic name as PUBLISH carries it: UTF-8, not empty, without wildcards, at most 65,535 bytes. */
  static byte[] topic(String name) {
    byte[] utf8 = name.getBytes(StandardCharsets.UTF_8);
    if (utf8.length == 0 || utf8.length > 0xFFFF || name.indexOf('+') >= 0 || name.indexOf('#') >= 0
        || name.indexOf('\u0000') >= 0) {
      throw new IllegalArgumentException("not an MQTT topic name: '" + name + "'");
    }
    return utf8;
  }

  /** Unacknowledged QoS 1 publishes allowed: the smaller of ours and the server's Receive Maximum. */
  int window() {
    return window;
  }

  /** The Keep Alive in force, in seconds (the server's if its CONNACK set one); 0 for none. */
  int keepAliveSeconds() {
    return keepAliveSeconds;
  }

  /** PINGRESPs received: the Keep Alive at work on an idle connection. */
  long pingResponses() {
    return pingResponses;
  }

  /** Why the connection failed, or null while it has not. */
  Throwable failure() {
    return failure;
  }

  /**
   * Takes a slot in the window of unacknowledged QoS 1 publishes for the next {@link #publish}, flushing the buffered
   * publishes first when it has to wait. Returns at once, taking nothing, once the connection failed.
   *
   * @return nanoseconds spent waiting for the slot
   */
  long awaitWindow() throws InterruptedException {
    if (failure != null || slots.tryAcquire()) {
      return 0;
    }
    long start = System.nanoTime();
    flush();
    while (failure == null && !slots.tryAcquire(10, TimeUnit.MILLISECONDS)) {
      // the reader releases a slot per PUBACK; a failure stops the wait within the poll interval
    }
    return System.nanoTime() - start;
  }

  /**
   * Buffers a PUBLISH of {@code payload} on {@code topic} (from {@link #topic(String)}). A QoS 1 publish uses the
   * window slot taken by {@link #awaitWindow()}; the {@link Listener} is told of it with {@code tag} when its PUBACK
   * arrives or the connection fails. A QoS 0 publish is reported acknowledged at once. After a failure, the publish is
   * reported failed at once.
   */
  void publish(byte[] topic, byte[] payload, int qos, long tag) {
    if (qos != 0 && qos != 1) {
      throw new IllegalArgumentException("qos must be 0 or 1: " + qos);
    }
    int variable = 2 + topic.length + (qos == 1 ? 2 : 0) + 1; // topic, packet identifier, empty properties
    int remaining = variable + payload.length;
    int size = 1 + varIntSize(remaining) + remaining;
    if (failure != null || qos > maxQos || size > maxPacketSize) {
      if (qos == 1 && failure == null) {
        slots.release(); // refused here, never sent: its slot is free again
      }
      listener.failed(tag);
      return;
    }
    boolean marked = false;
    writing.lock();
    try {
      if (buffered + size > buffer.length) {
        flushLocked();
      }
      boolean fits = size <= buffer.length;
      byte[] b = fits ? buffer : new byte[variable + 5];
      int p = fits ? buffered : 0;
      b[p++] = (byte) (PUBLISH << 4 | qos << 1);
      p = writeVarInt(b, p, remaining);
      b[p++] = (byte) (topic.length >>> 8);
      b[p++] = (byte) topic.length;
      System.arraycopy(topic, 0, b, p, topic.length);
      p += topic.length;
      if (qos == 1) {
        int id = nextFreePacketId();
        b[p++] = (byte) (id >>> 8);
        b[p++] = (byte) id;
        // In flight before a byte of it can reach the broker, so its PUBACK always finds it.
        tags[id] = tag;
        inFlight.set(id, 1);
        marked = true;
        if (failure != null) {
          if (inFlight.compareAndSet(id, 1, 0)) {
            listener.failed(tag); // the failure's sweep ran before this one was marked in flight
          }
          return;
        }
      }
      b[p++] = 0; // property length
      if (fits) {
        System.arraycopy(payload, 0, b, p, payload.length);
        buffered = p + payload.length;
      } else {
        out.write(b, 0, p);
        out.write(payload);
        lastSentNanos = System.nanoTime();
      }
    } catch (IOException e) {
      fail(e); // fails a marked publish with the others in flight
      if (!marked) {
        listener.failed(tag);
      }
      return;
    } finally {
      writing.unlock();
    }
    if (qos == 0) {
      listener.acknowledged(tag);
    }
  }

  /** Writes the buffered publishes to the socket. */
  void flush() {
    writing.lock();
    try {
      flushLocked();
    } catch (IOException e) {
      fail(e);
    } finally {
      writing.unlock();
    }
  }

  private void flushLocked() throws IOException {
    if (buffered > 0) {
      int n = buffered;
      buffered = 0;
      out.write(buffer, 0, n);
      lastSentNanos = System.nanoTime();
    }
  }

  /** A packet identifier not in flight (one exists: the window is at most 65,535 and a slot is taken). */
  private int nextFreePacketId() {
    int id = nextPacketId;
    while (inFlight.get(id) != 0) {
      id = id == MAX_PACKET_ID ? 1 : id + 1;
    }
    nextPacketId = id == MAX_PACKET_ID ? 1 : id + 1;
    return id;
  }

  private void readLoop() {
    byte[] b = new byte[BUFFER_BYTES];
    int start = 0;
    int end = 0;
    try {
      while (true) {
        int n;
        try {
          n = in.read(b, end, b.length - end);
        } catch (SocketTimeoutException e) {
          pingIfIdle();
          continue;
        }
        if (n < 0) {
          throw new EOFException("the broker closed the connection");
        }
        end += n;
        while (true) {
          int packet = completePacket(b, start, end);
          if (packet < 0) {
            break;
          }
          handle(b, start, packet);
          start = packet;
        }
        if (start == end) {
          start = 0;
          end = 0;
        } else if (b.length - end < 16) {
          System.arraycopy(b, start, b, 0, end - start);
          end -= start;
          start = 0;
        }
      }
    } catch (IOException | RuntimeException e) {
      fail(e);
    }
  }

  /** The end of the packet starting at {@code start}, or -1 while it is incomplete. */
  private static int completePacket(byte[] b, int start, int end) throws IOException {
    int p = start + 1;
    int remaining = 0;
    for (int shift = 0; ; shift += 7) {
      if (p >= end) {
        return -1;
      }
      if (shift > 21) {
        throw new IOException("malformed remaining length");
      }
      int digit = b[p++];
      remaining |= (digit & 0x7F) << shift;
      if ((digit & 0x80) == 0) {
        break;
      }
    }
    if (remaining > b.length - 8) {
      throw new IOException("unexpected " + remaining + "-byte packet of type " + ((b[start] & 0xFF) >>> 4));
    }
    return end - p >= remaining ? p + remaining : -1;
  }

  private void handle(byte[] b, int start, int end) throws IOException {
    int type = (b[start] & 0xFF) >>> 4;
    int body = start + 1;
    while ((b[body++] & 0x80) != 0) {
      // skip the remaining length
    }
    int length = end - body;
    switch (type) {
      case PUBACK -> {
        if (length < 2) {
          throw new IOException("malformed PUBACK");
        }
        int id = (b[body] & 0xFF) << 8 | b[body + 1] & 0xFF;
        int reason = length > 2 ? b[body + 2] & 0xFF : 0;
        if (id == 0 || inFlight.get(id) == 0) {
          throw new IOException("PUBACK for packet identifier " + id + ", which is not in flight");
        }
        long tag = tags[id];
        if (inFlight.compareAndSet(id, 1, 0)) {
          if (reason >= 0x80) {
            listener.failed(tag);
          } else {
            listener.acknowledged(tag);
          }
          slots.release();
        }
      }
      case PINGRESP -> pingResponses++;
      case DISCONNECT -> {
        int reason = length > 0 ? b[body] & 0xFF : 0;
        throw new IOException("the broker disconnected: reason code 0x" + Integer.toHexString(reason));
      }
      default -> throw new IOException("unexpected packet of type " + type + " from the broker");
    }
  }

  private void pingIfIdle() throws IOException {
    if (System.nanoTime() - lastSentNanos < TimeUnit.SECONDS.toNanos(keepAliveSeconds) / 2) {
      return;
    }
    // A publishing thread holding the lock is writing, which counts as sending; never block the reader on it.
    if (writing.tryLock()) {
      try {
        flushLocked();
        out.write(new byte[] {(byte) 0xC0, 0});
        lastSentNanos = System.nanoTime();
      } finally {
        writing.unlock();
      }
    }
  }

  /** Marks the connection failed (first cause wins), closes the socket and fails every publish in flight. */
  private void fail(Throwable cause) {
    boolean first = false;
    synchronized (this) {
      if (failure == null) {
        failure = cause;
        first = true;
      }
    }
    if (!first) {
      return;
    }
    if (!closing) {
      LOG.warn("MQTT publishing connection failed: {}", cause.toString());
    }
    try {
      socket.close();
    } catch (IOException e) {
      LOG.debug("closing the socket: {}", e.getMessage());
    }
    for (int id = 1; id <= MAX_PACKET_ID; id++) {
      if (inFlight.get(id) != 0) {
        long tag = tags[id];
        if (inFlight.compareAndSet(id, 1, 0)) {
          listener.failed(tag);
        }
      }
    }
    slots.release(window); // wakes a publisher waiting for a slot; it sees the failure
  }

  /**
   * Flushes, waits up to a second for the publishes in flight to be acknowledged, sends a DISCONNECT and closes the
   * connection; publishes still unacknowledged are reported failed.
   */
  @Override
  public void close() {
    flush();
    try {
      if (failure == null && slots.tryAcquire(window, QUIESCE.toMillis(), TimeUnit.MILLISECONDS)) {
        slots.release(window);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    closing = true;
    writing.lock();
    try {
      if (failure == null) {
        flushLocked();
        out.write(new byte[] {(byte) (DISCONNECT << 4), 0});
      }
    } catch (IOException e) {
      LOG.debug("sending DISCONNECT: {}", e.getMessage());
    } finally {
      writing.unlock();
    }
    fail(new IOException("closed"));
    try {
      reader.join(TimeUnit.SECONDS.toMillis(2));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static byte[] connectPacket(String clientId, int keepAliveSeconds) {
    byte[] id = clientId.getBytes(StandardCharsets.UTF_8);
    if (id.length > 0xFFFF) {
      throw new IllegalArgumentException("client id too long");
    }
    // protocol name, level 5, flags (Clean Start), Keep Alive, properties (none: Session Expiry Interval 0), id
    int remaining = 6 + 1 + 1 + 2 + 1 + 2 + id.length;
    byte[] b = new byte[1 + varIntSize(remaining) + remaining];
    int p = 0;
    b[p++] = (byte) (CONNECT << 4);
    p = writeVarInt(b, p, remaining);
    for (byte c : new byte[] {0, 4, 'M', 'Q', 'T', 'T', 5, 0x02}) {
      b[p++] = c;
    }
    b[p++] = (byte) (keepAliveSeconds >>> 8);
    b[p++] = (byte) keepAliveSeconds;
    b[p++] = 0;
    b[p++] = (byte) (id.length >>> 8);
    b[p++] = (byte) id.length;
    System.arraycopy(id, 0, b, p, id.length);
    return b;
  }

  /**
   * What the CONNACK said.
   *
   * @param serverKeepAlive the Server Keep Alive, or -1 when absent
   */
  record Connack(int reasonCode, int receiveMaximum, int serverKeepAlive, int maximumQos, int maximumPacketSize) {
  }

  /** Reads the CONNACK (3.2); properties this client has no use for are skipped by their type. */
  static Connack readConnack(InputStream in) throws IOException {
    int header = readByte(in);
    if (header >>> 4 != CONNACK) {
      throw new IOException("expected CONNACK, got a packet of type " + (header >>> 4));
    }
    int remaining = readVarInt(in);
    byte[] body = in.readNBytes(remaining);
    if (body.length < remaining || remaining < 2) {
      throw new IOException("truncated CONNACK");
    }
    int reason = body[1] & 0xFF;
    int receiveMaximum = MAX_PACKET_ID;
    int serverKeepAlive = -1;
    int maximumQos = 2;
    int maximumPacketSize = Integer.MAX_VALUE;
    if (remaining > 2) {
      int[] p = {2};
      int propertiesEnd = readVarInt(body, p);
      propertiesEnd += p[0];
      while (p[0] < propertiesEnd) {
        int property = body[p[0]++] & 0xFF;
        switch (property) {
          case 0x21 -> receiveMaximum = readTwo(body, p);
          case 0x13 -> serverKeepAlive = readTwo(body, p);
          case 0x24 -> maximumQos = body[p[0]++] & 0xFF;
          case 0x27 -> maximumPacketSize = (int) Math.min(Integer.MAX_VALUE, readFour(body, p));
          case 0x11 -> readFour(body, p); // Session Expiry Interval
          case 0x22 -> readTwo(body, p); // Topic Alias Maximum
          case 0x25, 0x28, 0x29, 0x2A -> p[0]++; // Retain, wildcard, subscription id, shared subscription available
          case 0x12, 0x1F, 0x1A, 0x1C, 0x15, 0x16 -> skipString(body, p); // strings and binary data
          case 0x26 -> {
            skipString(body, p); // User Property: a string pair
            skipString(body, p);
          }
          default -> throw new IOException("unknown CONNACK property 0x" + Integer.toHexString(property));
        }
      }
      if (p[0] != propertiesEnd || propertiesEnd > body.length) {
        throw new IOException("malformed CONNACK properties");
      }
    }
    if (receiveMaximum == 0) {
      throw new IOException("CONNACK with a Receive Maximum of 0");
    }
    return new Connack(reason, receiveMaximum, serverKeepAlive, maximumQos, maximumPacketSize);
  }

  private static int readByte(InputStream in) throws IOException {
    int b = in.read();
    if (b < 0) {
      throw new EOFException("the broker closed the connection");
    }
    return b;
  }

  private static int readVarInt(InputStream in) throws IOException {
    int value = 0;
    for (int shift = 0; shift <= 21; shift += 7) {
      int digit = readByte(in);
      value |= (digit & 0x7F) << shift;
      if ((digit & 0x80) == 0) {
        return value;
      }
    }
    throw new IOException("malformed variable byte integer");
  }

  private static int readVarInt(byte[] b, int[] p) throws IOException {
    int value = 0;
    for (int shift = 0; shift <= 21; shift += 7) {
      int digit = b[p[0]++];
      value |= (digit & 0x7F) << shift;
      if ((digit & 0x80) == 0) {
        return value;
      }
    }
    throw new IOException("malformed variable byte integer");
  }

  private static int readTwo(byte[] b, int[] p) {
    int v = (b[p[0]] & 0xFF) << 8 | b[p[0] + 1] & 0xFF;
    p[0] += 2;
    return v;
  }

  private static void skipString(byte[] b, int[] p) {
    int length = readTwo(b, p);
    p[0] += length;
  }

  private static long readFour(byte[] b, int[] p) {
    long v = (long) readTwo(b, p) << 16;
    return v | readTwo(b, p);
  }

  private static int varIntSize(int value) {
    return value < 128 ? 1 : value < 16_384 ? 2 : value < 2_097_152 ? 3 : 4;
  }

  private static int writeVarInt(byte[] b, int p, int value) {
    int v = value;
    do {
      int digit = v & 0x7F;
      v >>>= 7;
      b[p++] = (byte) (v > 0 ? digit | 0x80 : digit);
    } while (v > 0);
    return p;
  }
}
