package io.meshwork.proxy.it;

import static io.meshwork.proxy.it.ProxyHarness.http;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A streamed (chunked) upstream response is relayed intact: several chunks written with pauses, one
 * of them larger than any socket buffer, to HTTP/1.1 clients (still chunked) and h2c clients.
 */
class ChunkedResponseIntegrationTest {
  static final String BIG = "x".repeat(300 * 1024);
  static final String[] CHUNKS = {"alpha-", "beta-", BIG, "-omega"};
  static ServerSocket upstream;
  static Thread acceptor;
  static ProxyHarness proxy;

  @BeforeAll
  static void start() throws Exception {
    upstream = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    acceptor = Thread.ofVirtual().start(() -> {
      while (!upstream.isClosed()) {
        try {
          var s = upstream.accept();
          Thread.ofVirtual().start(() -> serve(s));
        } catch (IOException closed) {
          return;
        }
      }
    });
    proxy = ProxyHarness.start(http("""
        virtual_hosts:
        - name: all
          domains: ["*"]
          routes:
          - match: {prefix: "/"}
            route: {cluster: chunked}
        """, """
        - name: chunked
          connect_timeout: 1s
          load_assignment:
            cluster_name: chunked
            endpoints: [{lb_endpoints: [{endpoint: {address: {socket_address: {address: 127.0.0.1, port_value: PORT}}}}]}]
        """.replace("PORT", Integer.toString(upstream.getLocalPort()))));
  }

  /** Answers each request on the connection with the chunks, flushing and pausing between them. */
  private static void serve(Socket s) {
    try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
      while (readHead(in)) {
        out.write("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n"
            .getBytes(StandardCharsets.US_ASCII));
        for (var chunk : CHUNKS) {
          var bytes = chunk.getBytes(StandardCharsets.UTF_8);
          out.write((Integer.toHexString(bytes.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
          out.write(bytes);
          out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
          out.flush();
          Thread.sleep(20);
        }
        out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
      }
    } catch (IOException | InterruptedException e) {
      // the proxy closed the connection
    }
  }

  /** Reads a body-less request head; false at end of stream. */
  private static boolean readHead(InputStream in) throws IOException {
    var head = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) != -1) {
      head.write(c);
      var s = head.toString(StandardCharsets.US_ASCII);
      if (s.endsWith("\r\n\r\n")) {
        return true;
      }
    }
    return false;
  }

  @AfterAll
  static void stop() throws Exception {
    proxy.close();
    upstream.close();
    acceptor.join(5_000);
  }

  @Test
  void http11ClientsGetTheChunkedBodyIntact() throws Exception {
    try (var c = proxy.client()) {
      for (int i = 0; i < 2; i++) { // and the connections stay usable
        var res = c.get("x", "/stream/" + i);
        assertThat(res.status()).isEqualTo(200);
        assertThat(res.header("transfer-encoding")).isEqualToIgnoringCase("chunked");
        assertThat(res.header("content-length")).isNull();
        assertThat(res.body()).hasSize(String.join("", CHUNKS).length()).isEqualTo(String.join("", CHUNKS));
      }
    }
  }

  @Test
  void h2cClientsGetTheChunkedBodyIntact() throws Exception {
    try (var c = new H2cClient(proxy.port("http"))) {
      var res = c.send("GET", "x", "/stream/h2", null);
      assertThat(res.status()).isEqualTo(200);
      assertThat(res.body()).isEqualTo(String.join("", CHUNKS));
    }
  }
}
