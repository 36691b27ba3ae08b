package io.meshwork.proxy.it;

import static io.meshwork.proxy.it.ProxyHarness.cluster;
import static io.meshwork.proxy.it.ProxyHarness.http;
import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.testing.FakeUpstream;
import io.meshwork.testing.Reply;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The HCM idle timeout closes idle keep-alive connections, never one with an exchange in progress. */
class IdleTimeoutIntegrationTest {
  @RegisterExtension static FakeUpstream a = FakeUpstream.named("a");

  @Test
  void idleConnectionsAreClosedButSlowExchangesFinish() throws Exception {
    var yaml = http("""
        virtual_hosts:
        - name: all
          domains: ["*"]
          routes:
          - match: {prefix: "/"}
            route: {cluster: backend}
        """, cluster("backend", "ROUND_ROBIN", "a"))
        .replace("stat_prefix: ingress", "stat_prefix: ingress\n          common_http_protocol_options: {idle_timeout: 0.2s}");
    try (var proxy = ProxyHarness.start(yaml, a)) {
      a.respondWith(Reply.ok("slow").withDelay(Duration.ofMillis(600)));
      try (var c = proxy.client()) {
        // The exchange outlasts the idle timeout: it must still complete.
        assertThat(c.get("x", "/slow").body()).isEqualTo("slow");
        // Then nothing happens on the connection: the proxy closes it.
        assertThat(c.closedByPeer()).isTrue();
      }
      assertThat(proxy.stat("http.ingress.downstream_cx_idle_timeout")).isEqualTo(1);
    }
  }
}
