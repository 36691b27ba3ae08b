package io.meshwork.proxy.it;

import static io.meshwork.proxy.it.ProxyHarness.cluster;
import static io.meshwork.proxy.it.ProxyHarness.http;
import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.testing.FakeUpstream;
import io.meshwork.testing.LeakDetectionExtension;
import io.meshwork.testing.Reply;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Retries, timeouts and failure flags, asserted on responses, counters and access log flags. */
@ExtendWith(LeakDetectionExtension.class)
class ResilienceIntegrationTest {
  @RegisterExtension static FakeUpstream a = FakeUpstream.named("a");
  @RegisterExtension static FakeUpstream b = FakeUpstream.named("b");
  static ProxyHarness proxy;
  static final Pattern LOG = Pattern.compile("\"[^\"]*\" (\\d+) (\\S+) ");

  @BeforeAll
  static void start() throws Exception {
    // Port 1 on loopback: nothing listens there, and unlike a just-freed ephemeral port no other
    // test can grab it in the meantime, so connecting is reliably refused.
    int deadPort = 1;
    var retry5xx = "retry_policy: {retry_on: 5xx, num_retries: 1, retry_back_off: {base_interval: 0.001s}}";
    proxy = ProxyHarness.start(http("""
        virtual_hosts:
        - name: all
          domains: ["*"]
          routes:
          - match: {prefix: "/retry-5xx"}
            route: {cluster: backend, %s}
          - match: {prefix: "/retry-gw"}
            route: {cluster: backend, retry_policy: {retry_on: gateway-error, num_retries: 2, retry_back_off: {base_interval: 0.001s}}}
          - match: {prefix: "/codes"}
            route: {cluster: backend, retry_policy: {retry_on: retriable-status-codes, retriable_status_codes: [418], num_retries: 1}}
          - match: {prefix: "/timeout"}
            route: {cluster: backend, timeout: 0.2s}
          - match: {prefix: "/pertry"}
            route: {cluster: backend, timeout: 5s, retry_policy: {retry_on: 5xx, num_retries: 1, per_try_timeout: 1s, retry_back_off: {base_interval: 0.001s}}}
          - match: {prefix: "/dead"}
            route: {cluster: dead, retry_policy: {retry_on: connect-failure, num_retries: 2, retry_back_off: {base_interval: 0.001s}}}
          - match: {prefix: "/empty"}
            route: {cluster: empty}
          - match: {prefix: "/"}
            route: {cluster: backend, timeout: 10s}
        """.formatted(retry5xx),
        (cluster("backend", "ROUND_ROBIN", "a", "b") + cluster("dead", "ROUND_ROBIN", "dead")
            + cluster("empty", "RANDOM")).replace("${dead}", Integer.toString(deadPort))), a, b);
  }

  @AfterAll
  static void stop() {
    proxy.close();
  }

  private long stat(String name) {
    return proxy.stat("cluster.backend." + name);
  }

  private String flagsOfLine(String path) throws InterruptedException {
    var line = proxy.awaitLogLine("\"GET " + path + " ");
    assertThat(line).as("access log line for " + path).isNotNull();
    var m = LOG.matcher(line);
    assertThat(m.find()).as(line).isTrue();
    return m.group(2);
  }

  private void failFirstThenSucceed(int status) {
    var n = new AtomicInteger();
    java.util.function.Function<io.meshwork.testing.RecordedRequest, Reply> script =
        r -> n.getAndIncrement() == 0 ? Reply.status(status) : Reply.ok("recovered");
    a.respondWith(script);
    b.respondWith(script);
  }

  @Test
  void retriesA5xxOnTheOtherHostAndSucceeds() throws Exception {
    failFirstThenSucceed(503);
    long retries = stat("upstream_rq_retry");
    long success = stat("upstream_rq_retry_success");
    try (var c = proxy.client()) {
      var res = c.get("x", "/retry-5xx");
      assertThat(res.status()).isEqualTo(200);
      assertThat(res.body()).isEqualTo("recovered");
    }
    assertThat(stat("upstream_rq_retry") - retries).isEqualTo(1);
    assertThat(stat("upstream_rq_retry_success") - success).isEqualTo(1);
    // The retry avoided the host that failed.
    assertThat(a.requests()).hasSize(1);
    assertThat(b.requests()).hasSize(1);
  }

  @Test
  void retryLimitExceededPassesTheLastResponseWithUrx() throws Exception {
    a.respondWith(Reply.status(502));
    b.respondWith(Reply.status(502));
    long retries = stat("upstream_rq_retry");
    long exceeded = stat("upstream_rq_retry_limit_exceeded");
    try (var c = proxy.client()) {
      assertThat(c.get("x", "/retry-gw/limit").status()).isEqualTo(502);
    }
    assertThat(stat("upstream_rq_retry") - retries).isEqualTo(2);
    assertThat(stat("upstream_rq_retry_limit_exceeded") - exceeded).isEqualTo(1);
    assertThat(a.requests().size() + b.requests().size()).isEqualTo(3);
    assertThat(flagsOfLine("/retry-gw/limit")).isEqualTo("URX");
  }

  @Test
  void retriableStatusCodesAreRetried() throws Exception {
    failFirstThenSucceed(418);
    try (var c = proxy.client()) {
      assertThat(c.get("x", "/codes").status()).isEqualTo(200);
    }
    assertThat(a.requests().size() + b.requests().size()).isEqualTo(2);
  }

  @Test
  void withoutARetryPolicyA5xxIsPassedThrough() throws Exception {
    a.respondWith(Reply.status(503));
    b.respondWith(Reply.status(503));
    long retries = stat("upstream_rq_retry");
    try (var c = proxy.client()) {
      assertThat(c.get("x", "/plain").status()).isEqualTo(503);
    }
    assertThat(stat("upstream_rq_retry") - retries).isZero();
    assertThat(a.requests().size() + b.requests().size()).isEqualTo(1);
  }

  @Test
  void routeTimeoutAnswers504WithUtAndCancelsTheUpstream() throws Exception {
    a.respondWith(Reply.never());
    b.respondWith(Reply.never());
    long timeouts = stat("upstream_rq_timeout");
    try (var c = proxy.client()) {
      var res = c.get("x", "/timeout/ut");
      assertThat(res.status()).isEqualTo(504);
      assertThat(res.body()).isEqualTo("upstream request timeout");
    }
    assertThat(stat("upstream_rq_timeout") - timeouts).isEqualTo(1);
    assertThat(flagsOfLine("/timeout/ut")).isEqualTo("UT");
    ProxyHarness.await(() -> a.abandoned() + b.abandoned() == 1);
    assertThat(a.abandoned() + b.abandoned()).isEqualTo(1);
  }

  /** The first try never answers; the second (1 s per try, so a cold connection under load still makes it) does. */
  @Test
  void perTryTimeoutRetriesOnAnotherHost() throws Exception {
    var n = new AtomicInteger();
    java.util.function.Function<io.meshwork.testing.RecordedRequest, Reply> script =
        r -> n.getAndIncrement() == 0 ? Reply.never() : Reply.ok("second");
    a.respondWith(script);
    b.respondWith(script);
    long perTry = stat("upstream_rq_per_try_timeout");
    try (var c = proxy.client()) {
      var res = c.get("x", "/pertry");
      assertThat(res.status()).isEqualTo(200);
      assertThat(res.body()).isEqualTo("second");
    }
    assertThat(stat("upstream_rq_per_try_timeout") - perTry).isEqualTo(1);
  }

  @Test
  void connectFailureIsRetriedThenFlaggedUfAndUrx() throws Exception {
    long failures = proxy.stat("cluster.dead.upstream_cx_connect_fail");
    try (var c = proxy.client()) {
      var res = c.get("x", "/dead/uf");
      assertThat(res.status()).isEqualTo(503);
      assertThat(res.body()).contains("reset reason: connection failure");
    }
    assertThat(proxy.stat("cluster.dead.upstream_cx_connect_fail") - failures).isEqualTo(3);
    assertThat(proxy.stat("cluster.dead.upstream_rq_retry")).isGreaterThanOrEqualTo(2);
    assertThat(flagsOfLine("/dead/uf")).isEqualTo("UF,URX");
  }

  @Test
  void clusterWithoutHostsAnswers503WithUh() throws Exception {
    try (var c = proxy.client()) {
      var res = c.get("x", "/empty/uh");
      assertThat(res.status()).isEqualTo(503);
      assertThat(res.body()).isEqualTo("no healthy upstream");
    }
    assertThat(flagsOfLine("/empty/uh")).isEqualTo("UH");
  }

  @Test
  void upstreamResetBeforeHeadersIsFlaggedUc() throws Exception {
    a.respondWith(Reply.reset());
    b.respondWith(Reply.reset());
    try (var c = proxy.client()) {
      var res = c.get("x", "/plain/reset");
      assertThat(res.status()).isEqualTo(503);
      assertThat(res.body()).contains("connection termination");
    }
    assertThat(flagsOfLine("/plain/reset")).isEqualTo("UC");
  }

  @Test
  void clientDisconnectCancelsTheUpstreamRequestWithDc() throws Exception {
    a.respondWith(Reply.never());
    b.respondWith(Reply.never());
    long cancelled = stat("upstream_rq_cancelled");
    try (var c = proxy.client()) {
      c.write("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n");
      ProxyHarness.await(() -> a.requests().size() + b.requests().size() == 1);
    }
    ProxyHarness.await(() -> a.abandoned() + b.abandoned() == 1);
    assertThat(a.abandoned() + b.abandoned()).isEqualTo(1);
    assertThat(stat("upstream_rq_cancelled") - cancelled).isEqualTo(1);
    assertThat(flagsOfLine("/slow")).isEqualTo("DC");
    assertThat(proxy.awaitLogLine("\"GET /slow ")).contains("\" 0 DC ");
  }
}
