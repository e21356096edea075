package io.fleetwatch.gateway.mqtt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import org.junit.jupiter.api.Test;

class BufferedSocketFactoryTest {

  @Test
  void socketReadsTheStreamThroughOneBuffer() throws Exception {
    byte[] sent = new byte[200_000];
    for (int i = 0; i < sent.length; i++) {
      sent[i] = (byte) (i * 31);
    }
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Thread writer = new Thread(() -> {
        try (Socket peer = server.accept(); OutputStream out = peer.getOutputStream()) {
          out.write(sent);
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
      writer.start();
      try (Socket socket = new BufferedSocketFactory().createSocket()) {
        socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort()), 5_000);
        InputStream in = socket.getInputStream();
        assertInstanceOf(BufferedInputStream.class, in);
        assertSame(in, socket.getInputStream(), "one buffer per socket, or bytes read ahead would be lost");
        DataInputStream data = new DataInputStream(in);
        byte[] received = new byte[sent.length];
        // The way Paho reads a packet: single bytes, then the rest in one read.
        received[0] = data.readByte();
        received[1] = data.readByte();
        data.readFully(received, 2, received.length - 2);
        assertArrayEquals(sent, received);
        assertEquals(-1, in.read());
      }
      writer.join(10_000);
    }
  }

  @Test
  void connectingFactoryMethodsReturnBufferedSockets() throws Exception {
    try (ServerSocket server = new ServerSocket(0, 2, InetAddress.getLoopbackAddress());
        Socket byName = new BufferedSocketFactory().createSocket("127.0.0.1", server.getLocalPort());
        Socket byAddress = new BufferedSocketFactory().createSocket(InetAddress.getLoopbackAddress(),
            server.getLocalPort())) {
      assertInstanceOf(BufferedInputStream.class, byName.getInputStream());
      assertInstanceOf(BufferedInputStream.class, byAddress.getInputStream());
    }
  }
  @Test
  void factoryMethodsWithALocalAddressBindThereFirst() throws Exception {
    InetAddress loopback = InetAddress.getLoopbackAddress();
    try (ServerSocket server = new ServerSocket(0, 2, loopback);
        Socket byName = new BufferedSocketFactory().createSocket("127.0.0.1", server.getLocalPort(), loopback, 0);
        Socket byAddress = new BufferedSocketFactory().createSocket(loopback, server.getLocalPort(), loopback, 0)) {
      assertEquals(loopback, byName.getLocalAddress());
      assertEquals(loopback, byAddress.getLocalAddress());
      assertInstanceOf(BufferedInputStream.class, byName.getInputStream());
      assertInstanceOf(BufferedInputStream.class, byAddress.getInputStream());
    }
  }

  @Test
  void suitsPlainTcpUrisOnly() {
    assertTrue(BufferedSocketFactory.suits("tcp://127.0.0.1:1883"));
    assertTrue(BufferedSocketFactory.suits("TCP://broker:1883"));
    assertFalse(BufferedSocketFactory.suits("ssl://broker:8883"));
  }
}
