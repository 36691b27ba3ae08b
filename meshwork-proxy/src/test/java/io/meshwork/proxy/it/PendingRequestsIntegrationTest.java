package io.meshwork.proxy.it;

import static io.meshwork.proxy.it.ProxyHarness.http;
import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.testing.FakeUpstream;
import io.meshwork.testing.LeakDetectionExtension;
import io.meshwork.testing.Reply;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code max_pending_requests}: with {@code max_connections} reached, a request waits for a
 * connection to come back instead of failing; over the pending limit it fails at once with 503 UO;
 * a pending request that times out gives its pending slot back. One event loop, so every client
 * shares the one upstream pool.
 */
@ExtendWith(LeakDetectionExtension.class)
class PendingRequestsIntegrationTest {
  @RegisterExtension static FakeUpstream a = FakeUpstream.named("a");
  static ProxyHarness proxy;

  @BeforeAll
  static void start() throws Exception {
    proxy = ProxyHarness.start(1, http("""
        virtual_hosts:
        - name: all
          domains: ["*"]
          routes:
          - match: {prefix: "/short"}
            route: {cluster: one, timeout: 0.5s}
          - match: {prefix: "/"}
            route: {cluster: one, timeout: 30s}
        """, """
        - name: one
          connect_timeout: 1s
          type: STATIC
          circuit_breakers: {thresholds: [{max_connections: 1, max_pending_requests: 1}]}
          load_assignment:
            cluster_name: one
            endpoints: [{lb_endpoints: [{endpoint: {address: {socket_address: {address: 127.0.0.1, port_value: ${a}}}}}]}]
        """), a);
  }

  @AfterAll
  static void stop() {
    proxy.close();
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("waiting for " + what).isLessThan(deadline);
      Thread.sleep(10);
    }
  }

  private static long stat(String name) {
    return proxy.stat("cluster.one." + name);
  }

  @Test
  void aRequestOverTheConnectionLimitWaitsAndOneOverThePendingLimitOverflows() throws Exception {
    a.respondWith(Reply.ok("slow").withDelay(Duration.ofMillis(1500)));
    long cxOverflow = stat("upstream_cx_overflow");
    long pendingOverflow = stat("upstream_rq_pending_overflow");
    long opened = stat("upstream_cx_total");
    try (var first = proxy.client(); var second = proxy.client(); var third = proxy.client()) {
      first.write("GET /1 HTTP/1.1\r\nHost: x\r\n\r\n");
      await("the first request upstream", () -> a.requests().size() == 1);
      second.write("GET /2 HTTP/1.1\r\nHost: x\r\n\r\n");
      await("the second request to hit the connection limit", () -> stat("upstream_cx_overflow") > cxOverflow);
      var overflow = third.get("x", "/3");
      assertThat(overflow.status()).isEqualTo(503);
      assertThat(overflow.body()).endsWith("reset reason: overflow");
      assertThat(first.read().body()).isEqualTo("slow");
      var queued = second.read();
      assertThat(queued.status()).isEqualTo(200);
      assertThat(queued.body()).isEqualTo("slow");
    }
    assertThat(a.requests()).hasSize(2);
    // An earlier test may have left the one connection idle in the pool: at most one new one.
    assertThat(a.connections()).as("the waiting request reused the one connection").isLessThanOrEqualTo(1);
    assertThat(stat("upstream_cx_total") - opened).isLessThanOrEqualTo(1);
    assertThat(stat("upstream_rq_pending_overflow") - pendingOverflow).isEqualTo(1);
    assertThat(proxy.awaitLogLine("\"GET /3 ")).contains("\" 503 UO ");
  }

  @Test
  void aPendingRequestThatTimesOutGivesItsSlotBack() throws Exception {
    a.respondWith(Reply.ok("slow").withDelay(Duration.ofMillis(4000)));
    long pendingOverflow = stat("upstream_rq_pending_overflow");
    try (var first = proxy.client(); var second = proxy.client(); var third = proxy.client()) {
      first.write("GET /long HTTP/1.1\r\nHost: x\r\n\r\n");
      await("the first request upstream", () -> a.requests().size() == 1);
      assertThat(second.get("x", "/short/2").status()).isEqualTo(504);
      // The first request still holds the connection; had the timed-out request kept its pending
      // slot (max_pending_requests: 1), this one would overflow with 503 instead of waiting.
      assertThat(third.get("x", "/short/3").status()).isEqualTo(504);
      assertThat(first.read().body()).isEqualTo("slow");
    }
    assertThat(stat("upstream_rq_pending_overflow") - pendingOverflow).isZero();
    assertThat(a.requests()).hasSize(1);
  }
}
