package io.meshwork.proxy.it;

import static io.meshwork.proxy.it.ProxyHarness.http;
import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.testing.FakeUpstream;
import io.meshwork.testing.Reply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code max_requests_per_connection} (Istio's {@code connectionPool.http.maxRequestsPerConnection}):
 * an HTTP/1.1 upstream connection is closed after that many requests, an HTTP/2 one takes no more
 * streams and closes when its last stream ends. One event loop, so every request uses one pool.
 */
class MaxRequestsPerConnectionIntegrationTest {
  @RegisterExtension static FakeUpstream h1 = FakeUpstream.named("h1");
  static ScriptedH2Upstream h2;
  static ProxyHarness proxy;

  @BeforeAll
  static void start() throws Exception {
    h2 = new ScriptedH2Upstream();
    proxy = ProxyHarness.start(1, http("""
        virtual_hosts:
        - name: all
          domains: ["*"]
          routes:
          - match: {prefix: "/h2/"}
            route: {cluster: h2}
          - match: {prefix: "/unlimited/"}
            route: {cluster: unlimited}
          - match: {prefix: "/"}
            route: {cluster: h1}
        """, """
        - name: h1
          connect_timeout: 1s
          common_http_protocol_options: {max_requests_per_connection: 2}
          load_assignment:
            cluster_name: h1
            endpoints: [{lb_endpoints: [{endpoint: {address: {socket_address: {address: 127.0.0.1, port_value: ${h1}}}}}]}]
        - name: unlimited
          connect_timeout: 1s
          load_assignment:
            cluster_name: unlimited
            endpoints: [{lb_endpoints: [{endpoint: {address: {socket_address: {address: 127.0.0.1, port_value: ${h1}}}}}]}]
        - name: h2
          connect_timeout: 1s
          typed_extension_protocol_options:
            envoy.extensions.upstreams.http.v3.HttpProtocolOptions:
              "@type": type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions
              common_http_protocol_options: {max_requests_per_connection: 2}
              explicit_http_config: {http2_protocol_options: {}}
          load_assignment:
            cluster_name: h2
            endpoints: [{lb_endpoints: [{endpoint: {address: {socket_address: {address: 127.0.0.1, port_value: H2PORT}}}}]}]
        """.replace("H2PORT", Integer.toString(h2.port()))), h1);
  }

  @AfterAll
  static void stop() {
    proxy.close();
    h2.close();
  }

  @Test
  void http11ConnectionsAreClosedAfterMaxRequests() throws Exception {
    h1.respondWith(Reply.ok("one"));
    int before = h1.connections();
    long retired = proxy.stat("cluster.h1.upstream_cx_max_requests");
    try (var c = proxy.client()) {
      for (int i = 0; i < 6; i++) {
        var res = c.get("svc", "/h1/" + i);
        assertThat(res.status()).isEqualTo(200);
        assertThat(res.body()).isEqualTo("one");
      }
    }
    assertThat(h1.connections() - before).as("6 requests, 2 per connection").isEqualTo(3);
    assertThat(proxy.stat("cluster.h1.upstream_cx_max_requests") - retired).isEqualTo(3);
    assertThat(proxy.stat("cluster.h1.upstream_cx_total")).isEqualTo(3);
  }

  @Test
  void withoutTheLimitTheConnectionIsReused() throws Exception {
    h1.respondWith(Reply.ok("one"));
    try (var c = proxy.client()) {
      for (int i = 0; i < 6; i++) {
        assertThat(c.get("svc", "/unlimited/" + i).status()).isEqualTo(200);
      }
    }
    assertThat(proxy.stat("cluster.unlimited.upstream_cx_total")).isEqualTo(1);
  }

  @Test
  void http2ConnectionsTakeMaxRequestsStreamsThenCloseWhenIdle() throws Exception {
    int before = h2.connections.get();
    try (var c = proxy.client()) {
      for (int i = 0; i < 6; i++) {
        var res = c.get("svc", "/h2/" + i);
        assertThat(res.status()).isEqualTo(200);
        assertThat(res.body()).isEqualTo("h2:/h2/" + i);
      }
    }
    assertThat(h2.connections.get() - before).as("6 streams, 2 per connection").isEqualTo(3);
    ProxyHarness.await(() -> h2.openConnections.get() == 0);
    assertThat(h2.openConnections.get()).as("retired connections close once their streams ended").isZero();
    assertThat(proxy.stat("cluster.h2.upstream_cx_max_requests")).isEqualTo(3);
  }
}
