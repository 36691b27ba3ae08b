package io.meshwork.proxy.it;

import static io.meshwork.proxy.it.ProxyHarness.http;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * An upstream that answers with bytes that are not HTTP: the client gets a local 503 with Envoy's
 * "protocol error" reset reason, flagged UPE, and {@code upstream_cx_protocol_error} counts it. Before,
 * Netty's placeholder for an undecodable response (status 999) was forwarded to the client.
 */
class UpstreamProtocolErrorIntegrationTest {
  static ServerSocket garbage;
  static Thread acceptor;
  static ProxyHarness proxy;

  @BeforeAll
  static void start() throws Exception {
    garbage = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    acceptor = Thread.ofPlatform().daemon().name("garbage-upstream").start(() -> {
      while (!garbage.isClosed()) {
        try (var s = garbage.accept()) {
          readHead(s.getInputStream());
          s.getOutputStream().write("NOT-HTTP garbage here\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
          s.getOutputStream().flush();
          readHead(s.getInputStream()); // hold the connection until the proxy closes it
        } catch (IOException e) {
          // closed by the proxy or by the test's end
        }
      }
    });
    proxy = ProxyHarness.start(http("""
        virtual_hosts:
        - name: all
          domains: ["*"]
          routes:
          - match: {prefix: "/"}
            route: {cluster: garbage}
        """, """
        - name: garbage
          connect_timeout: 1s
          load_assignment:
            cluster_name: garbage
            endpoints: [{lb_endpoints: [{endpoint: {address: {socket_address: {address: 127.0.0.1, port_value: %d}}}}]}]
        """.formatted(garbage.getLocalPort())));
  }

  /** Reads up to the end of a request head (or the stream's end). */
  private static void readHead(InputStream in) throws IOException {
    int state = 0;
    for (int b; (b = in.read()) >= 0; ) {
      state = (b == '\r' && (state == 0 || state == 2)) ? state + 1 : (b == '\n' && (state == 1 || state == 3)) ? state + 1 : 0;
      if (state == 4) {
        return;
      }
    }
  }

  @AfterAll
  static void stop() throws IOException {
    proxy.close();
    garbage.close();
  }

  @Test
  void aResponseThatIsNotHttpIsALocal503FlaggedUpe() throws Exception {
    try (var c = proxy.client()) {
      var res = c.get("svc", "/not-http");
      assertThat(res.status()).isEqualTo(503);
      assertThat(res.body()).endsWith("reset reason: protocol error");
    }
    var line = proxy.awaitLogLine("\"GET /not-http ");
    assertThat(line).contains("\" 503 UPE ");
    assertThat(proxy.server().stats().value("cluster.garbage.upstream_cx_protocol_error")).isEqualTo(1);
  }
}
