package io.meshwork.proxy.it;

import static io.meshwork.proxy.it.ProxyHarness.cluster;
import static io.meshwork.proxy.it.ProxyHarness.headers;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.meshwork.testing.FakeUpstream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The fault filter: configured and header-controlled aborts and delays, with stats and flags. */
class FaultIntegrationTest {
  @RegisterExtension static FakeUpstream a = FakeUpstream.named("a");
  static ProxyHarness proxy;

  @BeforeAll
  static void start() throws Exception {
    var yaml = ProxyHarness.http("""
        virtual_hosts:
        - name: all
          domains: ["*"]
          routes:
          - match: {prefix: "/"}
            route: {cluster: backend}
        """, cluster("backend", "ROUND_ROBIN", "a")).replace("""
                  http_filters:
        """, """
                  http_filters:
                  - name: envoy.filters.http.fault
                    typed_config:
                      "@type": type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault
                      headers: [{name: x-chaos, string_match: {exact: abort}}]
                      abort: {http_status: 503, percentage: {numerator: 50}}
                  - name: envoy.filters.http.fault
                    typed_config:
                      "@type": type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault
                      delay: {header_delay: {}, percentage: {numerator: 100}}
                      abort: {header_abort: {}, percentage: {numerator: 100}}
        """);
    proxy = ProxyHarness.start(yaml, a);
  }

  @AfterAll
  static void stop() {
    proxy.close();
  }

  @Test
  void configuredAbortHitsItsShareOfMatchingRequests() throws Exception {
    long before = proxy.stat("http.ingress.fault.aborts_injected");
    int aborted = 0;
    int n = 400;
    try (var c = proxy.client()) {
      for (int i = 0; i < n; i++) {
        var res = c.send("GET", "x", "/chaos" + i, headers("x-chaos", "abort"), null);
        if (res.status() == 503) {
          assertThat(res.body()).isEqualTo("fault filter abort");
          aborted++;
        }
      }
    }
    // 50% of 400: standard deviation 10 requests; allow 5 sigma.
    assertThat(aborted / (double) n).isCloseTo(0.5, within(0.125));
    assertThat(proxy.stat("http.ingress.fault.aborts_injected") - before).isEqualTo(aborted);
    assertThat(a.requests()).hasSize(n - aborted);
  }

  @Test
  void headerControlledAbortUsesTheHeaderStatusAndNeverReachesTheUpstream() throws Exception {
    try (var c = proxy.client()) {
      var res = c.send("GET", "x", "/abort-me", headers("x-envoy-fault-abort-request", "418"), null);
      assertThat(res.status()).isEqualTo(418);
    }
    assertThat(a.requests()).isEmpty();
    assertThat(proxy.awaitLogLine("\"GET /abort-me ")).contains("\" 418 FI ");
  }

  @Test
  void headerPercentageCanTurnTheFaultOff() throws Exception {
    try (var c = proxy.client()) {
      var res = c.send("GET", "x", "/spared", headers("x-envoy-fault-abort-request", "418",
          "x-envoy-fault-abort-request-percentage", "0"), null);
      assertThat(res.status()).isEqualTo(200);
    }
  }

  @Test
  void headerControlledDelayStillForwardsAndIsFlaggedDi() throws Exception {
    long before = proxy.stat("http.ingress.fault.delays_injected");
    try (var c = proxy.client()) {
      var res = c.send("GET", "x", "/delay-me", headers("x-envoy-fault-delay-request", "50"), null);
      assertThat(res.status()).isEqualTo(200);
    }
    assertThat(proxy.stat("http.ingress.fault.delays_injected") - before).isEqualTo(1);
    assertThat(proxy.awaitLogLine("\"GET /delay-me ")).contains("\" 200 DI ");
  }

  @Test
  void requestsWithoutFaultHeadersAreUntouched() throws Exception {
    long delays = proxy.stat("http.ingress.fault.delays_injected");
    long aborts = proxy.stat("http.ingress.fault.aborts_injected");
    try (var c = proxy.client()) {
      for (int i = 0; i < 20; i++) {
        assertThat(c.get("x", "/plain" + i).status()).isEqualTo(200);
      }
    }
    assertThat(proxy.stat("http.ingress.fault.delays_injected")).isEqualTo(delays);
    assertThat(proxy.stat("http.ingress.fault.aborts_injected")).isEqualTo(aborts);
  }
}
