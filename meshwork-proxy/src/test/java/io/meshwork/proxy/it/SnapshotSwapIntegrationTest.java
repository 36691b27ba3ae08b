package io.meshwork.proxy.it;

import static io.meshwork.proxy.it.ProxyHarness.cluster;
import static io.meshwork.proxy.it.ProxyHarness.http;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshwork.proxy.config.ProxyConfigBuilder;
import io.meshwork.testing.FakeUpstream;
import io.meshwork.testing.LeakDetectionExtension;
import io.meshwork.testing.Reply;
import io.meshwork.xds.bootstrap.BootstrapLoader;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Configuration updates: atomic swap, in-flight requests finish on the old snapshot, listeners removed. */
@ExtendWith(LeakDetectionExtension.class)
class SnapshotSwapIntegrationTest {
  @RegisterExtension static FakeUpstream a = FakeUpstream.named("a");
  @RegisterExtension static FakeUpstream b = FakeUpstream.named("b");

  static String config(String target) {
    return http("""
        virtual_hosts:
        - name: all
          domains: ["*"]
          routes:
          - match: {prefix: "/"}
            route: {cluster: %s}
        """.formatted(target), cluster("alpha", "ROUND_ROBIN", "a") + cluster("beta", "ROUND_ROBIN", "b"))
        .replace("${a}", Integer.toString(a.port())).replace("${b}", Integer.toString(b.port()));
  }

  @Test
  void inFlightRequestsFinishOnTheOldRoutesWhileNewOnesUseTheNew() throws Exception {
    a.respondWith(Reply.ok("from-a").withDelay(Duration.ofMillis(300)));
    try (var proxy = ProxyHarness.start(config("alpha"))) {
      var alphaRuntime = proxy.server().snapshots().current().cluster("alpha");
      var slow = new RawClient(proxy.port("http"));
      slow.write("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n");
      ProxyHarness.await(() -> a.requests().size() == 1);
      var inFlight = CompletableFuture.supplyAsync(() -> {
        try {
          return slow.read().body();
        } catch (Exception e) {
          throw new RuntimeException(e);
        }
      });
      proxy.server().update(ProxyConfigBuilder.fromBootstrap(BootstrapLoader.parse("v2", config("beta")), 2));
      try (var c = proxy.client()) {
        assertThat(c.get("x", "/new").body()).isEqualTo("b");
      }
      assertThat(inFlight.get()).isEqualTo("from-a");
      // The same keep-alive connection now follows the new routes.
      slow.write("GET /again HTTP/1.1\r\nHost: x\r\n\r\n");
      assertThat(slow.read().body()).isEqualTo("b");
      slow.close();
      // Unchanged clusters keep their runtime (hosts, counters, balancer position).
      assertThat(proxy.server().snapshots().current().cluster("alpha")).isSameAs(alphaRuntime);
      assertThat(proxy.server().snapshots().current().config().version()).isEqualTo(2);
    }
  }

  @Test
  void aRemovedListenerStopsAccepting() throws Exception {
    try (var proxy = ProxyHarness.start(config("alpha"))) {
      int port = proxy.port("http");
      var noListeners = config("alpha").replaceAll("(?s)  listeners:.*?  clusters:", "  listeners: []\n  clusters:");
      proxy.server().update(ProxyConfigBuilder.fromBootstrap(BootstrapLoader.parse("v2", noListeners), 2));
      proxy.assertNotListening(port, "http.ingress.downstream_cx_total");
      assertThatThrownBy(() -> proxy.port("http")).isInstanceOf(IllegalArgumentException.class);
    }
  }
}
