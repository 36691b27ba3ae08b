package io.meshwork.proxy.it;

import static io.meshwork.proxy.it.ProxyHarness.http;
import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.proxy.telemetry.IstioMetric;
import io.meshwork.testing.FakeUpstream;
import io.meshwork.testing.Reply;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Envoy's two response flags for an upstream that fails under a request, over real sockets: UR
 * (upstream remote reset) when an HTTP/2 upstream resets the request's stream (RST_STREAM), before or
 * after the response head, and UC (upstream connection termination) when the connection to the
 * upstream closes, HTTP/2 or HTTP/1.1. The flag is the same in the access log's %RESPONSE_FLAGS% and
 * in istio_requests_total's response_flags label. No retry policy: the failure reaches the client.
 */
class UpstreamResetFlagsIntegrationTest {
  @RegisterExtension static FakeUpstream h1 = FakeUpstream.named("h1");
  static ScriptedH2Upstream h2;
  static ProxyHarness proxy;
  static final AtomicInteger unique = new AtomicInteger();

  @BeforeAll
  static void start() throws Exception {
    h2 = new ScriptedH2Upstream();
    proxy = ProxyHarness.start(http("""
        virtual_hosts:
        - name: all
          domains: ["*"]
          routes:
          - match: {prefix: "/h1/"}
            route: {cluster: h1}
          - match: {prefix: "/"}
            route: {cluster: h2}
        """, """
        - name: h2
          connect_timeout: 1s
          typed_extension_protocol_options:
            envoy.extensions.upstreams.http.v3.HttpProtocolOptions:
              "@type": type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions
              explicit_http_config: {http2_protocol_options: {}}
          load_assignment:
            cluster_name: h2
            endpoints: [{lb_endpoints: [{endpoint: {address: {socket_address: {address: 127.0.0.1, port_value: %d}}}}]}]
        - name: h1
          connect_timeout: 1s
          load_assignment:
            cluster_name: h1
            endpoints: [{lb_endpoints: [{endpoint: {address: {socket_address: {address: 127.0.0.1, port_value: ${h1}}}}}]}]
        """.formatted(h2.port())), h1);
  }

  @AfterAll
  static void stop() {
    proxy.close();
    h2.close();
  }

  private static String path(String script) {
    return "/" + script + "/" + unique.incrementAndGet();
  }

  /** The %RESPONSE_FLAGS% of the access log line of {@code path} (after the status code). */
  private static String flagsOf(String path) throws InterruptedException {
    var line = proxy.awaitLogLine("\"GET " + path + " ");
    var afterRequest = line.substring(line.indexOf("\" ", line.indexOf("\"GET " + path)) + 2).split(" ");
    return afterRequest[0] + " " + afterRequest[1];
  }

  private static long requestsFlagged(String flags) {
    return proxy.server().telemetry().metrics().counterSum(IstioMetric.REQUESTS_TOTAL, Map.of("response_flags", flags));
  }

  @Test
  void anHttp2StreamResetBeforeTheHeadIsARemoteResetUr() throws Exception {
    var p = path("internal-once");
    long ur = requestsFlagged("UR");
    try (var c = proxy.client()) {
      var res = c.get("svc", p);
      assertThat(res.status()).isEqualTo(503);
      assertThat(res.body()).isEqualTo("upstream connect error or disconnect/reset before headers. reset reason: remote reset");
    }
    assertThat(flagsOf(p)).isEqualTo("503 UR");
    ProxyHarness.await(() -> requestsFlagged("UR") - ur == 1);
    assertThat(requestsFlagged("UR") - ur).as("istio_requests_total{response_flags=\"UR\"}").isEqualTo(1);
  }

  @Test
  void aRefusedStreamIsARemoteResetToo() throws Exception {
    var p = path("refuse-once");
    try (var c = proxy.client()) {
      var res = c.get("svc", p);
      assertThat(res.status()).isEqualTo(503);
      assertThat(res.body()).endsWith("reset reason: remote refused stream reset");
    }
    assertThat(flagsOf(p)).isEqualTo("503 UR");
  }

  @Test
  void anHttp2StreamResetAfterTheHeadAbortsTheResponseWithUr() throws Exception {
    var p = path("reset-after-headers");
    long destroyed = proxy.stat("cluster.h2.upstream_cx_destroy_remote");
    try (var c = proxy.client()) {
      c.write("GET " + p + " HTTP/1.1\r\nHost: svc\r\n\r\n");
      var raw = new String(c.rawInput().readAllBytes(), StandardCharsets.ISO_8859_1);
      assertThat(raw).as("the connection closed before a complete response").doesNotEndWith("0\r\n\r\n");
    }
    assertThat(flagsOf(p)).as("the upstream's 200 head had arrived when the stream was reset").isEqualTo("200 UR");
    assertThat(proxy.stat("cluster.h2.upstream_cx_destroy_remote") - destroyed)
        .as("the stream was reset, the connection stays").isZero();
  }

  @Test
  void anHttp2ConnectionClosedUnderTheRequestIsAConnectionTerminationUc() throws Exception {
    var p = path("close");
    long uc = requestsFlagged("UC");
    try (var c = proxy.client()) {
      var res = c.get("svc", p);
      assertThat(res.status()).isEqualTo(503);
      assertThat(res.body()).endsWith("reset reason: connection termination");
    }
    assertThat(flagsOf(p)).isEqualTo("503 UC");
    ProxyHarness.await(() -> requestsFlagged("UC") - uc == 1);
    assertThat(requestsFlagged("UC") - uc).isEqualTo(1);
  }

  @Test
  void anHttp1ConnectionResetUnderTheRequestIsAConnectionTerminationUc() throws Exception {
    h1.respondWith(Reply.reset());
    var p = "/h1" + path("reset");
    try (var c = proxy.client()) {
      var res = c.get("svc", p);
      assertThat(res.status()).isEqualTo(503);
      assertThat(res.body()).endsWith("reset reason: connection termination");
    } finally {
      h1.respondWith(r -> Reply.ok("ok"));
    }
    assertThat(flagsOf(p)).isEqualTo("503 UC");
  }
}
