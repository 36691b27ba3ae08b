package io.meshwork.proxy.it;

import static io.meshwork.proxy.it.ProxyHarness.cluster;
import static io.meshwork.proxy.it.ProxyHarness.http;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Local replies to gRPC requests are trailers-only HTTP 200 responses carrying grpc-status. */
class GrpcLocalReplyIntegrationTest {
  static ProxyHarness proxy;

  @BeforeAll
  static void start() throws Exception {
    proxy = ProxyHarness.start(http("""
        virtual_hosts:
        - name: api
          domains: ["api.example"]
          routes:
          - match: {prefix: "/"}
            route: {cluster: empty}
        """, cluster("empty", "ROUND_ROBIN")));
  }

  @AfterAll
  static void stop() {
    proxy.close();
  }

  @Test
  void noHealthyUpstreamBecomesUnavailable() throws Exception {
    try (var c = new H2cClient(proxy.port("http"))) {
      var res = c.send("POST", "api.example", "/pkg.Greeter/SayHello", "\0\0\0\0\0", "application/grpc");
      assertThat(res.status()).isEqualTo(200);
      assertThat(res.headers().get("content-type").toString()).isEqualTo("application/grpc");
      assertThat(res.headers().get("grpc-status").toString()).isEqualTo("14");
      assertThat(res.headers().get("grpc-message").toString()).isEqualTo("no%20healthy%20upstream");
      assertThat(res.trailers()).as("trailers-only: the status travels in the only HEADERS frame").isNull();
      assertThat(res.body()).isEmpty();
    }
  }

  @Test
  void noRouteBecomesUnimplemented() throws Exception {
    try (var c = new H2cClient(proxy.port("http"))) {
      var res = c.send("POST", "elsewhere.example", "/pkg.Greeter/SayHello", "", "application/grpc+proto");
      assertThat(res.status()).isEqualTo(200);
      assertThat(res.headers().get("grpc-status").toString()).isEqualTo("12");
    }
  }

  @Test
  void nonGrpcRequestsKeepHttpStatuses() throws Exception {
    try (var c = new H2cClient(proxy.port("http"))) {
      var res = c.send("GET", "api.example", "/plain", null);
      assertThat(res.status()).isEqualTo(503);
      assertThat(res.headers().contains("grpc-status")).isFalse();
    }
  }
}
