package io.meshwork.proxy.it;

import static io.meshwork.proxy.it.ProxyHarness.http;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Retry conditions that depend on how an HTTP/2 upstream fails before answering: {@code refused-stream}
 * (RST_STREAM with REFUSED_STREAM, in Istio's default retry policy), {@code reset} (any reset) and
 * {@code retriable-4xx} (409).
 */
class Http2UpstreamRetryIntegrationTest {
  static ScriptedH2Upstream upstream;
  static ProxyHarness proxy;
  static final AtomicInteger unique = new AtomicInteger();

  @BeforeAll
  static void start() throws Exception {
    upstream = new ScriptedH2Upstream();
    var backOff = "retry_back_off: {base_interval: 0.001s}";
    proxy = ProxyHarness.start(http("""
        virtual_hosts:
        - name: all
          domains: ["*"]
          routes:
          - match: {prefix: "/refused-stream/"}
            route: {cluster: h2, retry_policy: {retry_on: refused-stream, num_retries: 1, %1$s}}
          - match: {prefix: "/connect-failure/"}
            route: {cluster: h2, retry_policy: {retry_on: connect-failure, num_retries: 1, %1$s}}
          - match: {prefix: "/reset/"}
            route: {cluster: h2, retry_policy: {retry_on: reset, num_retries: 1, %1$s}}
          - match: {prefix: "/retriable-4xx/"}
            route: {cluster: h2, retry_policy: {retry_on: retriable-4xx, num_retries: 1, %1$s}}
          - match: {prefix: "/"}
            route: {cluster: h2}
        """.formatted(backOff), """
        - name: h2
          connect_timeout: 1s
          typed_extension_protocol_options:
            envoy.extensions.upstreams.http.v3.HttpProtocolOptions:
              "@type": type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions
              explicit_http_config: {http2_protocol_options: {}}
          load_assignment:
            cluster_name: h2
            endpoints: [{lb_endpoints: [{endpoint: {address: {socket_address: {address: 127.0.0.1, port_value: %d}}}}]}]
        """.formatted(upstream.port())));
  }

  @AfterAll
  static void stop() {
    proxy.close();
    upstream.close();
  }

  private RawClient.Response get(String path) throws Exception {
    try (var c = proxy.client()) {
      return c.get("svc", path);
    }
  }

  private static String path(String route, String script) {
    return "/" + route + "/" + script + "/" + unique.incrementAndGet();
  }

  @Test
  void aRefusedStreamIsRetriedUnderRefusedStream() throws Exception {
    long retries = proxy.stat("cluster.h2.upstream_rq_retry");
    var p = path("refused-stream", "refuse-once");
    var res = get(p);
    assertThat(res.status()).isEqualTo(200);
    assertThat(res.body()).isEqualTo("h2:" + p);
    assertThat(upstream.streams(p)).isEqualTo(2);
    assertThat(proxy.stat("cluster.h2.upstream_rq_retry") - retries).isEqualTo(1);
  }

  @Test
  void refusedStreamDoesNotRetryOtherResets() throws Exception {
    var p = path("refused-stream", "internal-once");
    assertThat(get(p).status()).isEqualTo(503);
    assertThat(upstream.streams(p)).isEqualTo(1);
  }

  @Test
  void aRefusedStreamIsNotRetriedUnderAnUnrelatedCondition() throws Exception {
    var p = path("connect-failure", "refuse-once");
    assertThat(get(p).status()).isEqualTo(503);
    assertThat(upstream.streams(p)).isEqualTo(1);
  }

  @Test
  void resetRetriesAnyResetBeforeHeaders() throws Exception {
    for (var script : new String[] {"internal-once", "refuse-once"}) {
      var p = path("reset", script);
      var res = get(p);
      assertThat(res.status()).as(script).isEqualTo(200);
      assertThat(upstream.streams(p)).as(script).isEqualTo(2);
    }
  }

  @Test
  void withoutARetryPolicyAResetIs503() throws Exception {
    var p = path("none", "refuse-once");
    assertThat(get(p).status()).isEqualTo(503);
    assertThat(upstream.streams(p)).isEqualTo(1);
  }

  @Test
  void retriable4xxRetriesA409() throws Exception {
    var p = path("retriable-4xx", "conflict-once");
    var res = get(p);
    assertThat(res.status()).isEqualTo(200);
    assertThat(upstream.streams(p)).isEqualTo(2);
    var other = path("none", "conflict-once");
    assertThat(get(other).status()).as("no retry policy: the 409 is passed on").isEqualTo(409);
    assertThat(upstream.streams(other)).isEqualTo(1);
  }
}
