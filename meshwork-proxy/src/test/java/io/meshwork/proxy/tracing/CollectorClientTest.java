package io.meshwork.proxy.tracing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The exporter's own HTTP/1.1 client against a raw socket server that answers what the test says,
 * so keep-alive reuse, the framings of a response body (length, chunked, until close) and the one
 * retry after an idle connection was closed are each observable.
 */
@Timeout(30)
class CollectorClientTest {
  /** A server that reads requests (head + Content-Length body) and answers {@code reply.apply(n)} for the n-th request of a connection. */
  private static final class RawServer implements AutoCloseable {
    final ServerSocket server = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
    final AtomicInteger connections = new AtomicInteger();
    final List<String> requests = new CopyOnWriteArrayList<>();
    final Thread thread;

    RawServer(IntFunction<String> reply, int requestsPerConnection) throws IOException {
      thread = Thread.ofPlatform().daemon().start(() -> {
        while (!server.isClosed()) {
          try (Socket s = server.accept()) {
            connections.incrementAndGet();
            var in = s.getInputStream();
            for (int n = 0; n < requestsPerConnection; n++) {
              var req = readRequest(in);
              if (req == null) {
                break;
              }
              requests.add(req);
              s.getOutputStream().write(reply.apply(n).getBytes(StandardCharsets.ISO_8859_1));
              s.getOutputStream().flush();
            }
          } catch (IOException e) {
            // next connection
          }
        }
      });
    }

    InetSocketAddress address() {
      return new InetSocketAddress("127.0.0.1", server.getLocalPort());
    }

    @Override
    public void close() throws IOException {
      server.close();
    }
  }

  private static String readRequest(InputStream in) throws IOException {
    var head = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) >= 0) {
      head.write(b);
      var h = head.toString(StandardCharsets.ISO_8859_1);
      if (h.endsWith("\r\n\r\n")) {
        int i = h.toLowerCase().indexOf("content-length: ");
        int len = Integer.parseInt(h.substring(i + 16, h.indexOf("\r\n", i)).trim());
        return h + new String(in.readNBytes(len), StandardCharsets.UTF_8);
      }
    }
    return null;
  }

  private static final byte[] BODY = "[{\"x\":1}]".getBytes(StandardCharsets.UTF_8);

  @Test
  void reportsReuseOneConnectionWhateverTheBodyFraming() throws Exception {
    var replies = List.of("HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2;x=y\r\nde\r\n0\r\n\r\n",
        "HTTP/1.1 400 Bad Request\r\nContent-Length: 3\r\n\r\nbad");
    try (var server = new RawServer(replies::get, 4); var client = new CollectorClient("/api/v2/spans", "application/json")) {
      assertThat(client.post(server.address(), BODY, BODY.length)).isEqualTo(202);
      assertThat(client.post(server.address(), BODY, BODY.length)).isEqualTo(200);
      assertThat(client.post(server.address(), BODY, BODY.length)).isEqualTo(200);
      assertThat(client.post(server.address(), BODY, BODY.length)).isEqualTo(400);
      assertThat(server.connections.get()).as("one keep-alive connection for all four").isEqualTo(1);
      var first = server.requests.getFirst();
      assertThat(first).startsWith("POST /api/v2/spans HTTP/1.1\r\n").contains("\r\nHost: 127.0.0.1:" + server.address().getPort() + "\r\n")
          .contains("\r\nContent-Type: application/json\r\n").contains("\r\nContent-Length: " + BODY.length + "\r\n")
          .endsWith("\r\n\r\n[{\"x\":1}]");
    }
  }

  @Test
  void aConnectionTheCollectorClosedWhileIdleIsReplacedAndTheReportSentOnce() throws Exception {
    // One request per connection, then the server closes it without saying so (as an idle timeout does).
    try (var server = new RawServer(n -> "HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n", 1);
        var client = new CollectorClient("/v1/traces", "application/x-protobuf")) {
      for (int i = 0; i < 3; i++) {
        assertThat(client.post(server.address(), BODY, BODY.length)).isEqualTo(202);
      }
      assertThat(server.requests).hasSize(3);
      assertThat(server.connections.get()).isEqualTo(3);
    }
  }

  @Test
  void connectionCloseAndBodyUntilCloseEndTheConnection() throws Exception {
    for (var reply : List.of("HTTP/1.1 202 Accepted\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
        "HTTP/1.0 202 Accepted\r\n\r\nbody until close")) {
      // The server would answer a second request on the same connection: only a client that ends it opens a new one.
      try (var server = new RawServer(n -> reply, 2); var client = new CollectorClient("/p", "t")) {
        assertThat(client.post(server.address(), BODY, BODY.length)).isEqualTo(202);
        assertThat(client.post(server.address(), BODY, BODY.length)).isEqualTo(202);
        assertThat(server.connections.get()).as(reply).isEqualTo(2);
      }
    }
  }

  @Test
  void noCollectorListeningFailsAtOnce() throws Exception {
    int port;
    try (var s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    try (var client = new CollectorClient("/p", "t")) {
      assertThatThrownBy(() -> client.post(new InetSocketAddress("127.0.0.1", port), BODY, BODY.length)).isInstanceOf(IOException.class);
    }
  }
}
