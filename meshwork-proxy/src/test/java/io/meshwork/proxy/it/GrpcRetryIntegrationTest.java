package io.meshwork.proxy.it;

import static io.meshwork.proxy.it.ProxyHarness.cluster;
import static io.meshwork.proxy.it.ProxyHarness.http;
import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.testing.FakeUpstream;
import io.meshwork.testing.LeakDetectionExtension;
import io.meshwork.testing.RecordedRequest;
import io.meshwork.testing.Reply;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * gRPC retry conditions (Istio's default retry policy is {@code connect-failure,refused-stream,unavailable,
 * cancelled,retriable-status-codes}): a trailers-only answer (HTTP 200 with {@code grpc-status} in the
 * head) is retried when its status names a configured condition, and passed through otherwise.
 */
@ExtendWith(LeakDetectionExtension.class)
class GrpcRetryIntegrationTest {
  @RegisterExtension static FakeUpstream a = FakeUpstream.named("a");
  @RegisterExtension static FakeUpstream b = FakeUpstream.named("b");
  static ProxyHarness proxy;
  static final Map<String, String> GRPC = Map.of("content-type", "application/grpc", "te", "trailers");

  @BeforeAll
  static void start() throws Exception {
    proxy = ProxyHarness.start(http("""
        virtual_hosts:
        - name: all
          domains: ["*"]
          routes:
          - match: {prefix: "/unavailable"}
            route: {cluster: backend, retry_policy: {retry_on: "cancelled,unavailable", num_retries: 2, retry_back_off: {base_interval: 0.001s}}}
          - match: {prefix: "/others"}
            route: {cluster: backend, retry_policy: {retry_on: "deadline-exceeded,resource-exhausted,internal", num_retries: 3, retry_back_off: {base_interval: 0.001s}}}
          - match: {prefix: "/cancelled-only"}
            route: {cluster: backend, retry_policy: {retry_on: cancelled, num_retries: 2, retry_back_off: {base_interval: 0.001s}}}
        """, cluster("backend", "ROUND_ROBIN", "a", "b")), a, b);
  }

  @AfterAll
  static void stop() {
    proxy.close();
  }

  private static Reply grpcStatus(String status) {
    return Reply.status(200).withBody("").withHeaders(Map.of("content-type", "application/grpc", "grpc-status", status));
  }

  /** Answers each request with the next of {@code statuses}, then with grpc-status 0 and a body. */
  private static void script(String... statuses) {
    var n = new AtomicInteger();
    Function<RecordedRequest, Reply> s = r -> {
      int i = n.getAndIncrement();
      return i < statuses.length ? grpcStatus(statuses[i])
          : Reply.ok("done").withHeaders(Map.of("content-type", "application/grpc", "grpc-status", "0"));
    };
    a.respondWith(s);
    b.respondWith(s);
  }

  private long stat(String name) {
    return proxy.stat("cluster.backend." + name);
  }

  @Test
  void unavailableIsRetriedUntilSuccess() throws Exception {
    script("14", "1");
    long retries = stat("upstream_rq_retry");
    try (var c = proxy.client()) {
      var res = c.send("POST", "svc", "/unavailable/Call", GRPC, "m");
      assertThat(res.status()).isEqualTo(200);
      assertThat(res.header("grpc-status")).isEqualTo("0");
      assertThat(res.body()).isEqualTo("done");
    }
    assertThat(stat("upstream_rq_retry") - retries).isEqualTo(2);
    assertThat(a.requests().size() + b.requests().size()).isEqualTo(3);
    // te: trailers crosses the proxy (as Envoy keeps it): gRPC servers expect it on every attempt.
    var attempts = new java.util.ArrayList<>(a.requests());
    attempts.addAll(b.requests());
    assertThat(attempts).allSatisfy(r -> assertThat(r.header("te")).isEqualTo("trailers"));
  }

  @Test
  void deadlineExceededResourceExhaustedAndInternalAreEachRetried() throws Exception {
    script("4", "8", "13");
    try (var c = proxy.client()) {
      var res = c.send("POST", "svc", "/others/Call", GRPC, "m");
      assertThat(res.header("grpc-status")).isEqualTo("0");
    }
    assertThat(a.requests().size() + b.requests().size()).isEqualTo(4);
  }

  @Test
  void aStatusNotNamedIsPassedThroughWithoutRetry() throws Exception {
    script("14");
    long retries = stat("upstream_rq_retry");
    try (var c = proxy.client()) {
      var res = c.send("POST", "svc", "/cancelled-only/Call", GRPC, "m");
      assertThat(res.status()).isEqualTo(200);
      assertThat(res.header("grpc-status")).isEqualTo("14");
    }
    assertThat(stat("upstream_rq_retry") - retries).isZero();
    assertThat(a.requests().size() + b.requests().size()).isEqualTo(1);
  }

  @Test
  void theLastAnswerIsPassedOnWhenRetriesRunOut() throws Exception {
    script("1", "1", "1", "1");
    long exceeded = stat("upstream_rq_retry_limit_exceeded");
    try (var c = proxy.client()) {
      var res = c.send("POST", "svc", "/unavailable/Call", GRPC, "m");
      assertThat(res.header("grpc-status")).isEqualTo("1");
    }
    assertThat(a.requests().size() + b.requests().size()).isEqualTo(3);
    assertThat(stat("upstream_rq_retry_limit_exceeded") - exceeded).isEqualTo(1);
  }
}
