package io.meshwork.proxy.it;

import static io.meshwork.proxy.it.ProxyHarness.cluster;
import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.testing.FakeUpstream;
import io.meshwork.testing.LeakDetectionExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Requests a proxy must refuse rather than forward, because another parser could frame them
 * differently (request smuggling) or because they break the protocol: each gets 400 (431 for
 * oversized headers), the connection is closed, and the upstream never sees a byte.
 */
@ExtendWith(LeakDetectionExtension.class)
class HostileInputIntegrationTest {
  @RegisterExtension static FakeUpstream a = FakeUpstream.named("a");
  static ProxyHarness proxy;

  @BeforeAll
  static void start() throws Exception {
    var yaml = ProxyHarness.http("""
        virtual_hosts:
        - name: all
          domains: ["*"]
          routes:
          - match: {prefix: "/"}
            route: {cluster: backend}
        """, cluster("backend", "ROUND_ROBIN", "a"))
        .replace("stat_prefix: ingress", "stat_prefix: ingress\n          max_request_headers_kb: 2");
    proxy = ProxyHarness.start(yaml, a);
  }

  @AfterAll
  static void stop() {
    proxy.close();
  }

  private void assertRefused(String raw, int status) throws Exception {
    long protocolErrors = proxy.stat("http.ingress.downstream_cx_protocol_error");
    try (var c = proxy.client()) {
      c.write(raw);
      var res = c.read();
      assertThat(res.status()).as(raw).isEqualTo(status);
      assertThat(res.header("connection")).isEqualTo("close");
      assertThat(c.closedByPeer()).as("connection closed after %s", raw).isTrue();
    }
    assertThat(a.requests()).as("nothing forwarded for %s", raw).isEmpty();
    assertThat(proxy.stat("http.ingress.downstream_cx_protocol_error") - protocolErrors).isEqualTo(1);
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @ValueSource(strings = {
      // malformed request lines
      "GARBAGE\r\n\r\n",
      "GET /\r\nHost: x\r\n\r\n",
      "GET / HTTP/1.1 extra\r\nHost: x\r\n\r\n",
      "GET / HTTP/2.0\r\nHost: x\r\n\r\n",
      "GET nopath HTTP/1.1\r\nHost: x\r\n\r\n",
      // invalid header characters
      "GET / HTTP/1.1\r\nHost: x\r\nBad Name: v\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: x\r\nX-Ctl: a\u0001b\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: x\r\nNoColon\r\n\r\n",
      // framing conflicts
      "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
      "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n",
      "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc",
      "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3, 4\r\n\r\nabc",
      "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
      "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: identity\r\n\r\n",
      // obs-fold
      "GET / HTTP/1.1\r\nHost: x\r\nX-A: a\r\n  folded\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: x\r\nX-A: a\r\n\tfolded\r\n\r\n",
      // Host header problems
      "GET / HTTP/1.1\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
  })
  void malformedRequestsAreRefusedWith400AndClose(String raw) throws Exception {
    assertRefused(raw, 400);
  }

  @Test
  void headersOverTheLimitAre431() throws Exception {
    assertRefused("GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(3000) + "\r\n\r\n", 431);
  }

  @Test
  void hugeRequestLineIsRefused() throws Exception {
    long before = proxy.stat("http.ingress.downstream_cx_protocol_error");
    try (var c = proxy.client()) {
      c.write("GET /" + "a".repeat(40_000) + " HTTP/1.1\r\nHost: x\r\n\r\n");
      assertThat(c.read().status()).isIn(414, 431);
    }
    assertThat(a.requests()).isEmpty();
    assertThat(proxy.stat("http.ingress.downstream_cx_protocol_error") - before).isEqualTo(1);
  }

  @Test
  void aValidRequestAfterTheseStillWorks() throws Exception {
    try (var c = proxy.client()) {
      assertThat(c.get("x", "/fine").status()).isEqualTo(200);
    }
    assertThat(a.requests()).hasSize(1);
  }

  @Test
  void protocolErrorsAreLoggedWithDpe() throws Exception {
    try (var c = proxy.client()) {
      c.write("GET / HTTP/1.1\r\nHost: x\r\nX-A: a\r\n folded\r\n\r\n");
      c.read();
    }
    // The request could not be parsed, so its method and path are logged as "-".
    assertThat(proxy.awaitLogLine("\"- - HTTP/1.1\" 400 DPE ")).isNotNull();
  }
}
