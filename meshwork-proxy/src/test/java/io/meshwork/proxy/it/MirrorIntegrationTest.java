package io.meshwork.proxy.it;

import static io.meshwork.proxy.it.ProxyHarness.cluster;
import static io.meshwork.proxy.it.ProxyHarness.http;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.meshwork.testing.FakeUpstream;
import io.meshwork.testing.Reply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Request mirroring: shadows reach the mirror cluster and never change the primary response. */
class MirrorIntegrationTest {
  @RegisterExtension static FakeUpstream primary = FakeUpstream.named("primary");
  @RegisterExtension static FakeUpstream shadow = FakeUpstream.named("shadow");
  static ProxyHarness proxy;

  @BeforeAll
  static void start() throws Exception {
    proxy = ProxyHarness.start(http("""
        virtual_hosts:
        - name: all
          domains: ["*"]
          routes:
          - match: {prefix: "/all"}
            route: {cluster: main, request_mirror_policies: [{cluster: mirror}]}
          - match: {prefix: "/half"}
            route:
              cluster: main
              request_mirror_policies: [{cluster: mirror, runtime_fraction: {default_value: {numerator: 50}}}]
        """, cluster("main", "ROUND_ROBIN", "primary") + cluster("mirror", "ROUND_ROBIN", "shadow")), primary, shadow);
  }

  @AfterAll
  static void stop() {
    proxy.close();
  }

  @Test
  void everyRequestIsShadowedWithAShadowHost() throws Exception {
    try (var c = proxy.client()) {
      var res = c.send("POST", "svc.example:8080", "/all/items", java.util.Map.of(), "body");
      assertThat(res.status()).isEqualTo(200);
      assertThat(res.body()).isEqualTo("primary");
    }
    ProxyHarness.await(() -> shadow.requests().size() == 1);
    var copy = shadow.requests().getFirst();
    assertThat(copy.uri()).isEqualTo("/all/items");
    assertThat(copy.body()).isEqualTo("body");
    assertThat(copy.header("host")).isEqualTo("svc.example-shadow:8080");
    assertThat(primary.requests().getFirst().header("host")).isEqualTo("svc.example:8080");
  }

  @Test
  void aFailingMirrorDoesNotAffectThePrimary() throws Exception {
    shadow.respondWith(Reply.reset());
    try (var c = proxy.client()) {
      for (int i = 0; i < 10; i++) {
        assertThat(c.get("x", "/all/" + i).status()).isEqualTo(200);
      }
    }
    assertThat(primary.requests()).hasSize(10);
  }

  @Test
  void aFractionOfRequestsIsMirrored() throws Exception {
    int n = 400;
    try (var c = proxy.client()) {
      for (int i = 0; i < n; i++) {
        c.get("x", "/half/" + i);
      }
    }
    long mirrored = proxy.stat("cluster.mirror.upstream_rq_total");
    ProxyHarness.await(() -> shadow.requests().size() >= mirrored - 0);
    assertThat(shadow.requests().size() / (double) n).isCloseTo(0.5, within(0.125));
  }
}
