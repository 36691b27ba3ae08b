package io.meshwork.proxy.it;

import static io.meshwork.proxy.it.ProxyHarness.cluster;
import static io.meshwork.proxy.it.ProxyHarness.headers;
import static io.meshwork.proxy.it.ProxyHarness.http;
import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.testing.FakeUpstream;
import io.meshwork.testing.LeakDetectionExtension;
import io.meshwork.testing.Reply;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

@ExtendWith(LeakDetectionExtension.class)
class ForwardingIntegrationTest {
  @RegisterExtension static FakeUpstream a = FakeUpstream.named("a");
  static ProxyHarness proxy;

  @BeforeAll
  static void start() throws Exception {
    proxy = ProxyHarness.start(http("""
        virtual_hosts:
        - name: all
          domains: ["*"]
          routes:
          - match: {prefix: "/"}
            route: {cluster: backend}
        """, cluster("backend", "ROUND_ROBIN", "a")), a);
  }

  @AfterAll
  static void stop() {
    proxy.close();
  }

  @Test
  void forwardsRequestAndResponseWithBodyAndHeaders() throws Exception {
    a.respondWith(r -> Reply.ok("echo:" + r.body()).withHeaders(Map.of("x-from", "upstream")));
    try (var c = proxy.client()) {
      var res = c.send("POST", "svc.example.com", "/items?id=7", headers("x-custom", "v1", "Connection", "keep-alive"),
          "payload");
      assertThat(res.status()).isEqualTo(200);
      assertThat(res.body()).isEqualTo("echo:payload");
      assertThat(res.header("x-from")).isEqualTo("upstream");
      assertThat(res.header("x-envoy-upstream-service-time")).isNotNull();
    }
    var rec = a.requests().getFirst();
    assertThat(rec.method()).isEqualTo("POST");
    assertThat(rec.uri()).isEqualTo("/items?id=7");
    assertThat(rec.header("host")).isEqualTo("svc.example.com");
    assertThat(rec.header("x-custom")).isEqualTo("v1");
    assertThat(rec.header("x-forwarded-proto")).isEqualTo("http");
    assertThat(rec.header("x-request-id")).matches("[0-9a-f-]{36}");
    assertThat(rec.header("connection")).isNull();
  }

  @Test
  void runsOnTheTransportThisExecutionAskedFor() {
    var expected = "nio".equals(System.getProperty("meshwork.transport")) || !io.netty.channel.epoll.Epoll.isAvailable()
        ? io.meshwork.proxy.transport.Transport.NIO : io.meshwork.proxy.transport.Transport.EPOLL;
    assertThat(proxy.server().transport()).isEqualTo(expected);
  }

  @Test
  void reusesUpstreamConnectionsAcrossRequests() throws Exception {
    long before = proxy.stat("cluster.backend.upstream_rq_total");
    long cxBefore = proxy.stat("cluster.backend.upstream_cx_total");
    try (var c = proxy.client()) {
      for (int i = 0; i < 10; i++) {
        assertThat(c.get("x", "/n" + i).status()).isEqualTo(200);
      }
    }
    assertThat(a.requests()).hasSize(10);
    // An earlier test may have left a pooled connection: at most one connection serves all ten.
    assertThat(a.connections()).isLessThanOrEqualTo(1);
    assertThat(proxy.stat("cluster.backend.upstream_cx_total") - cxBefore).isLessThanOrEqualTo(1);
    assertThat(proxy.stat("cluster.backend.upstream_rq_total") - before).isEqualTo(10);
    assertThat(proxy.stat("http.ingress.downstream_rq_2xx")).isGreaterThanOrEqualTo(10);
  }

  @Test
  void chunkedRequestIsForwardedWithContentLength() throws Exception {
    try (var c = proxy.client()) {
      c.write("POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n");
      assertThat(c.read().status()).isEqualTo(200);
    }
    var rec = a.requests().getFirst();
    assertThat(rec.body()).isEqualTo("abcde");
    assertThat(rec.header("content-length")).isEqualTo("5");
    assertThat(rec.header("transfer-encoding")).isNull();
  }

  @Test
  void expectContinueGets100BeforeTheBodyIsSent() throws Exception {
    a.respondWith(r -> Reply.ok("got:" + r.body()));
    try (var c = proxy.client()) {
      c.write("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n");
      var interim = c.read(true);
      assertThat(interim.status()).isEqualTo(100);
      c.write("data");
      var res = c.read();
      assertThat(res.status()).isEqualTo(200);
      assertThat(res.body()).isEqualTo("got:data");
    }
    assertThat(a.requests().getFirst().header("expect")).isNull();
  }

  @Test
  void pipelinedRequestsAreAnsweredInOrder() throws Exception {
    a.respondWith(r -> Reply.ok(r.uri()));
    try (var c = proxy.client()) {
      c.write("GET /one HTTP/1.1\r\nHost: x\r\n\r\nGET /two HTTP/1.1\r\nHost: x\r\n\r\n");
      assertThat(c.read().body()).isEqualTo("/one");
      assertThat(c.read().body()).isEqualTo("/two");
    }
  }

  @Test
  void connectionCloseIsHonoured() throws Exception {
    try (var c = proxy.client()) {
      var res = c.send("GET", "x", "/", headers("Connection", "close"), null);
      assertThat(res.status()).isEqualTo(200);
      assertThat(res.header("connection")).isEqualTo("close");
      assertThat(c.closedByPeer()).isTrue();
    }
  }

  @Test
  void writesAnEnvoyFormatAccessLogLine() throws Exception {
    try (var c = proxy.client()) {
      c.send("GET", "host.example", "/logged?q=1", headers("User-Agent", "curl/8", "X-Request-Id", "rid-1"), null);
    }
    var line = proxy.awaitLogLine("/logged?q=1");
    assertThat(line).matches("\\[\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z] \"GET /logged\\?q=1 HTTP/1.1\" 200 - 0 1 \\d+ \\d+ "
        + "\"-\" \"curl/8\" \"rid-1\" \"host.example\" \"127.0.0.1:" + a.port() + "\"");
  }
}
