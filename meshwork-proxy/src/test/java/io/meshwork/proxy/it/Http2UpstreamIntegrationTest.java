package io.meshwork.proxy.it;

import static io.meshwork.proxy.it.ProxyHarness.http;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Clusters with HTTP/2 protocol options: requests are multiplexed as streams, trailers pass through. */
class Http2UpstreamIntegrationTest {
  static H2Upstream upstream;
  static ProxyHarness proxy;

  @BeforeAll
  static void start() throws Exception {
    upstream = new H2Upstream();
    proxy = ProxyHarness.start(http("""
        virtual_hosts:
        - name: all
          domains: ["*"]
          routes:
          - match: {prefix: "/"}
            route: {cluster: grpc-like}
        """, """
        - name: grpc-like
          connect_timeout: 1s
          typed_extension_protocol_options:
            envoy.extensions.upstreams.http.v3.HttpProtocolOptions:
              "@type": type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions
              explicit_http_config: {http2_protocol_options: {}}
          load_assignment:
            cluster_name: grpc-like
            endpoints: [{lb_endpoints: [{endpoint: {address: {socket_address: {address: 127.0.0.1, port_value: %d}}}}]}]
        """.formatted(upstream.port())));
  }

  @AfterAll
  static void stop() {
    proxy.close();
    upstream.close();
  }

  @Test
  void http11ClientsAreMultiplexedOntoOneUpstreamConnection() throws Exception {
    int connectionsBefore = upstream.connections.get();
    long cxBefore = proxy.stat("cluster.grpc-like.upstream_cx_total");
    try (var c = proxy.client()) {
      for (int i = 0; i < 20; i++) {
        var res = c.send("POST", "svc", "/m/" + i, java.util.Map.of(), "p" + i);
        assertThat(res.status()).isEqualTo(200);
        assertThat(res.body()).isEqualTo("h2:/m/" + i + ":p" + i);
      }
    }
    assertThat(upstream.connections.get() - connectionsBefore).isLessThanOrEqualTo(1);
    assertThat(proxy.stat("cluster.grpc-like.upstream_cx_total") - cxBefore).isLessThanOrEqualTo(1);
    assertThat(proxy.stat("cluster.grpc-like.upstream_rq_2xx")).isGreaterThanOrEqualTo(20);
  }

  @Test
  void h2ToH2KeepsTrailersAndConcurrentStreams() throws Exception {
    try (var c = new H2cClient(proxy.port("http"))) {
      var first = CompletableFuture.supplyAsync(() -> send(c, "/a"));
      var second = CompletableFuture.supplyAsync(() -> send(c, "/b"));
      for (var res : new H2cClient.Response[] {first.get(), second.get()}) {
        assertThat(res.status()).isEqualTo(200);
        assertThat(res.trailers()).isNotNull();
        assertThat(res.trailers().get("grpc-status").toString()).isEqualTo("0");
      }
      assertThat(first.get().body()).isEqualTo("h2:/a:x");
      assertThat(second.get().body()).isEqualTo("h2:/b:x");
    }
  }

  private static H2cClient.Response send(H2cClient c, String path) {
    try {
      return c.send("POST", "svc", path, "x");
    } catch (Exception e) {
      throw new RuntimeException(e);
    }
  }
}
