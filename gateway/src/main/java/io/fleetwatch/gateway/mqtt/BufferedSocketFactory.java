package io.fleetwatch.gateway.mqtt;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import javax.net.SocketFactory;

/**
 * Plain TCP sockets whose input stream is buffered.
 *
 * <p>Paho reads each MQTT packet from the socket's raw stream: the fixed header byte, the remaining length one byte
 * at a time, then the body. On a plain socket each of those reads is a system call, three or more per message; a
 * buffer turns a burst of queued messages into one read. TLS sockets need none of this (their stream reads from
 * the decrypted record), so this factory is used for {@code tcp://} only.
 */
public final class BufferedSocketFactory extends SocketFactory {
  static final int BUFFER_BYTES = 64 * 1024;

  /** Whether the broker URI is plain TCP, where this factory belongs ({@code ssl://} has its own). */
  public static boolean suits(String brokerUri) {
    return brokerUri.regionMatches(true, 0, "tcp://", 0, 6);
  }

  @Override
  public Socket createSocket() {
    return new BufferedSocket();
  }

  @Override
  public Socket createSocket(String host, int port) throws IOException {
    return connected(new InetSocketAddress(host, port), null);
  }

  @Override
  public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
    return connected(new InetSocketAddress(host, port), new InetSocketAddress(localHost, localPort));
  }

  @Override
  public Socket createSocket(InetAddress host, int port) throws IOException {
    return connected(new InetSocketAddress(host, port), null);
  }

  @Override
  public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
      throws IOException {
    return connected(new InetSocketAddress(address, port), new InetSocketAddress(localAddress, localPort));
  }

  private static Socket connected(InetSocketAddress remote, InetSocketAddress local) throws IOException {
    Socket socket = new BufferedSocket();
    if (local != null) {
      socket.bind(local);
    }
    socket.connect(remote);
    return socket;
  }

  /** A socket whose {@link #getInputStream()} is one buffered stream over the socket's own. */
  static final class BufferedSocket extends Socket {
    private InputStream in;

    @Override
    public synchronized InputStream getInputStream() throws IOException {
      if (in == null) {
        in = new BufferedInputStream(super.getInputStream(), BUFFER_BYTES);
      }
      return in;
    }
  }
}
