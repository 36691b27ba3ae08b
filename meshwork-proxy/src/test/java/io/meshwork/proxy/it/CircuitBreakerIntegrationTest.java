package io.meshwork.proxy.it;

import static io.meshwork.proxy.it.ProxyHarness.http;
import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.testing.FakeUpstream;
import io.meshwork.testing.Reply;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Circuit breakers: overflow answers 503 with flag UO and counts; retries over the budget are not made. */
class CircuitBreakerIntegrationTest {
  @RegisterExtension static FakeUpstream a = FakeUpstream.named("a");
  static ProxyHarness proxy;

  static String cluster(String name, String thresholds) {
    return """
        - name: %s
          connect_timeout: 1s
          type: STATIC
          circuit_breakers: {thresholds: [%s]}
          load_assignment:
            cluster_name: %s
            endpoints: [{lb_endpoints: [{endpoint: {address: {socket_address: {address: 127.0.0.1, port_value: ${a}}}}}]}]
        """.formatted(name, thresholds, name);
  }

  @BeforeAll
  static void start() throws Exception {
    // One event loop: a pool per loop may always open its first connection (as Envoy's per-worker
    // pools do), so the connection limit is only observable for clients that share a loop.
    proxy = ProxyHarness.start(1, http("""
        virtual_hosts:
        - name: all
          domains: ["*"]
          routes:
          - match: {prefix: "/requests"}
            route: {cluster: one-request}
          - match: {prefix: "/connections"}
            route: {cluster: one-connection}
          - match: {prefix: "/retries"}
            route: {cluster: no-retries, retry_policy: {retry_on: 5xx, num_retries: 2}}
        """, cluster("one-request", "{max_requests: 1}") + cluster("one-connection", "{max_connections: 1, max_pending_requests: 0}")
        + cluster("no-retries", "{max_retries: 0}")), a);
  }

  @AfterAll
  static void stop() {
    proxy.close();
  }

  private void secondConcurrentRequestOverflows(String path, String cluster, String counter) throws Exception {
    a.respondWith(Reply.ok("slow").withDelay(Duration.ofMillis(500)));
    long before = proxy.stat("cluster." + cluster + "." + counter);
    try (var first = proxy.client(); var second = proxy.client()) {
      first.write("GET " + path + "/1 HTTP/1.1\r\nHost: x\r\n\r\n");
      ProxyHarness.await(() -> a.requests().size() == 1);
      var res = second.get("x", path + "/2");
      assertThat(res.status()).isEqualTo(503);
      assertThat(res.body()).endsWith("reset reason: overflow");
      assertThat(first.read().body()).isEqualTo("slow");
    }
    assertThat(a.requests()).hasSize(1);
    assertThat(proxy.stat("cluster." + cluster + "." + counter) - before).isEqualTo(1);
    assertThat(proxy.awaitLogLine("\"GET " + path + "/2 ")).contains("\" 503 UO ");
  }

  @Test
  void maxRequestsOverflowIsUo() throws Exception {
    secondConcurrentRequestOverflows("/requests", "one-request", "upstream_rq_pending_overflow");
  }

  @Test
  void maxConnectionsOverflowIsUo() throws Exception {
    secondConcurrentRequestOverflows("/connections", "one-connection", "upstream_cx_overflow");
  }

  @Test
  void slotsAreGivenBackSoLaterRequestsPass() throws Exception {
    maxRequestsOverflowIsUo();
    a.respondWith(Reply.ok("fine"));
    try (var c = proxy.client()) {
      assertThat(c.get("x", "/requests/again").status()).isEqualTo(200);
      assertThat(c.get("x", "/requests/again2").status()).isEqualTo(200);
    }
  }

  @Test
  void retriesOverTheBudgetAreNotMade() throws Exception {
    a.respondWith(Reply.status(503));
    long overflow = proxy.stat("cluster.no-retries.upstream_rq_retry_overflow");
    try (var c = proxy.client()) {
      assertThat(c.get("x", "/retries").status()).isEqualTo(503);
    }
    assertThat(a.requests()).hasSize(1);
    assertThat(proxy.stat("cluster.no-retries.upstream_rq_retry_overflow") - overflow).isEqualTo(1);
    assertThat(proxy.stat("cluster.no-retries.upstream_rq_retry")).isZero();
  }
}
