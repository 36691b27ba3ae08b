package io.meshwork.proxy.it;

import static io.meshwork.proxy.it.ProxyHarness.cluster;
import static io.meshwork.proxy.it.ProxyHarness.headers;
import static io.meshwork.proxy.it.ProxyHarness.http;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.meshwork.testing.FakeUpstream;
import io.meshwork.testing.LeakDetectionExtension;
import io.meshwork.testing.Reply;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Route actions end to end: redirects, direct responses, rewrites, header mutations, weights. */
@ExtendWith(LeakDetectionExtension.class)
class RouteActionsIntegrationTest {
  @RegisterExtension static FakeUpstream a = FakeUpstream.named("a");
  @RegisterExtension static FakeUpstream b = FakeUpstream.named("b");
  @RegisterExtension static FakeUpstream c1 = FakeUpstream.named("c1");
  @RegisterExtension static FakeUpstream c2 = FakeUpstream.named("c2");
  @RegisterExtension static FakeUpstream c3 = FakeUpstream.named("c3");
  static ProxyHarness proxy;

  @BeforeAll
  static void start() throws Exception {
    proxy = ProxyHarness.start(http("""
        request_headers_to_add: [{header: {key: x-table, value: t}}]
        response_headers_to_add: [{header: {key: x-resp-table, value: t}}]
        virtual_hosts:
        - name: main
          domains: ["*"]
          request_headers_to_add: [{header: {key: x-vhost, value: v}}]
          routes:
          - match: {prefix: /old/}
            redirect: {prefix_rewrite: /new/, response_code: PERMANENT_REDIRECT}
          - match: {path: /secure}
            redirect: {https_redirect: true, host_redirect: secure.example.com, strip_query: true}
          - match: {path: /health}
            direct_response: {status: 200, body: {inline_string: "ok"}}
            response_headers_to_add: [{header: {key: x-direct, value: "1"}}]
          - match: {prefix: /api/}
            route: {cluster: alpha, prefix_rewrite: /v2/, host_rewrite_literal: internal.svc}
          - match: {safe_regex: {regex: "/users/([0-9]+)/profile"}}
            route:
              cluster: alpha
              regex_rewrite: {pattern: {regex: "^/users/([0-9]+)/profile$"}, substitution: "/profiles/\\\\1"}
          - match: {prefix: /headers}
            route: {cluster: alpha}
            request_headers_to_add:
            - {header: {key: x-added, value: one}}
            - {header: {key: x-set, value: new}, append_action: OVERWRITE_IF_EXISTS_OR_ADD}
            - {header: {key: x-keep, value: ignored}, append_action: ADD_IF_ABSENT}
            request_headers_to_remove: [x-secret]
            response_headers_to_add: [{header: {key: x-resp-added, value: r}}]
            response_headers_to_remove: [x-internal]
          - match: {prefix: /weighted}
            route:
              weighted_clusters:
                clusters:
                - {name: alpha, weight: 80}
                - {name: beta, weight: 20}
          - match: {prefix: /rr}
            route: {cluster: trio}
        - name: none
          domains: ["nothing.example"]
          routes: []
        """, cluster("alpha", "ROUND_ROBIN", "a") + cluster("beta", "ROUND_ROBIN", "b")
        + cluster("trio", "ROUND_ROBIN", "c1", "c2", "c3")), a, b, c1, c2, c3);
  }

  @AfterAll
  static void stop() {
    proxy.close();
  }

  @Test
  void prefixRedirectKeepsTheRestOfThePathAndQuery() throws Exception {
    try (var c = proxy.client()) {
      var res = c.get("shop.example:8080", "/old/item?id=3");
      assertThat(res.status()).isEqualTo(308);
      assertThat(res.header("location")).isEqualTo("http://shop.example:8080/new/item?id=3");
    }
    assertThat(a.requests()).isEmpty();
  }

  @Test
  void httpsRedirectChangesSchemeHostAndDropsPortAndQuery() throws Exception {
    try (var c = proxy.client()) {
      var res = c.get("shop.example:8080", "/secure?x=1");
      assertThat(res.status()).isEqualTo(301);
      assertThat(res.header("location")).isEqualTo("https://secure.example.com/secure");
    }
  }

  @Test
  void directResponseIsLocalWithResponseHeaders() throws Exception {
    long before = proxy.stat("http.ingress.rq_direct_response");
    try (var c = proxy.client()) {
      var res = c.get("x", "/health");
      assertThat(res.status()).isEqualTo(200);
      assertThat(res.body()).isEqualTo("ok");
      assertThat(res.header("x-direct")).isEqualTo("1");
      assertThat(res.header("x-resp-table")).isEqualTo("t");
    }
    assertThat(proxy.stat("http.ingress.rq_direct_response") - before).isEqualTo(1);
  }

  @Test
  void prefixAndHostRewrite() throws Exception {
    try (var c = proxy.client()) {
      assertThat(c.get("public.example", "/api/orders?page=2").status()).isEqualTo(200);
    }
    var rec = a.requests().getFirst();
    assertThat(rec.uri()).isEqualTo("/v2/orders?page=2");
    assertThat(rec.header("host")).isEqualTo("internal.svc");
  }

  @Test
  void regexRewriteUsesCaptureGroups() throws Exception {
    try (var c = proxy.client()) {
      assertThat(c.get("x", "/users/42/profile").status()).isEqualTo(200);
    }
    assertThat(a.requests().getFirst().uri()).isEqualTo("/profiles/42");
  }

  @Test
  void requestAndResponseHeaderMutationsAtEveryLevel() throws Exception {
    a.respondWith(Reply.ok("h").withHeaders(Map.of("x-internal", "secret")));
    try (var c = proxy.client()) {
      var res = c.send("GET", "x", "/headers", headers("x-set", "old", "x-keep", "mine", "x-secret", "s",
          "x-added", "zero"), null);
      assertThat(res.header("x-resp-added")).isEqualTo("r");
      assertThat(res.header("x-resp-table")).isEqualTo("t");
      assertThat(res.header("x-internal")).isNull();
    }
    var rec = a.requests().getFirst();
    assertThat(rec.headers().get("x-added")).containsExactly("zero", "one");
    assertThat(rec.headers().get("x-set")).containsExactly("new");
    assertThat(rec.headers().get("x-keep")).containsExactly("mine");
    assertThat(rec.header("x-secret")).isNull();
    assertThat(rec.header("x-vhost")).isEqualTo("v");
    assertThat(rec.header("x-table")).isEqualTo("t");
  }

  @Test
  void noMatchingRouteOrVirtualHostIs404WithNr() throws Exception {
    long before = proxy.stat("http.ingress.no_route");
    try (var c = proxy.client()) {
      assertThat(c.get("nothing.example", "/nr").status()).isEqualTo(404);
    }
    assertThat(proxy.stat("http.ingress.no_route") - before).isEqualTo(1);
    var line = proxy.awaitLogLine("\"GET /nr ");
    assertThat(line).contains("\" 404 NR ");
  }

  @Test
  void weightedClustersSplitTrafficByWeight() throws Exception {
    int n = 2000;
    try (var c = proxy.client()) {
      for (int i = 0; i < n; i++) {
        assertThat(c.get("x", "/weighted").status()).isEqualTo(200);
      }
    }
    double alphaShare = a.requests().size() / (double) n;
    assertThat(a.requests().size() + b.requests().size()).isEqualTo(n);
    // 80/20 over 2,000 requests: the standard deviation is ~0.9 points; allow ~4.5 sigma.
    assertThat(alphaShare).isCloseTo(0.80, within(0.04));
  }

  @Test
  void roundRobinSpreadsEvenlyOverThreeHosts() throws Exception {
    try (var c = proxy.client()) {
      for (int i = 0; i < 300; i++) {
        c.get("x", "/rr");
      }
    }
    assertThat(c1.requests()).hasSize(100);
    assertThat(c2.requests()).hasSize(100);
    assertThat(c3.requests()).hasSize(100);
  }
}
