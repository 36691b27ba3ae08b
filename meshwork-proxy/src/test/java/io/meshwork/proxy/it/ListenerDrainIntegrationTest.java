package io.meshwork.proxy.it;

import static io.meshwork.proxy.it.ProxyHarness.cluster;
import static io.meshwork.proxy.it.ProxyHarness.http;
import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.proxy.config.ProxyConfigBuilder;
import io.meshwork.testing.FakeUpstream;
import io.meshwork.testing.Reply;
import io.meshwork.xds.bootstrap.BootstrapLoader;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A listener removed by an update drains its open connections (Envoy): HTTP/1.1 answers the request
 * in progress with {@code connection: close} and closes, an idle HTTP/1.1 connection is closed, and
 * HTTP/2 connections get GOAWAY and close once their streams are done.
 */
class ListenerDrainIntegrationTest {
  @RegisterExtension static FakeUpstream a = FakeUpstream.named("a");

  private static String config() {
    return http("""
        virtual_hosts:
        - name: all
          domains: ["*"]
          routes:
          - match: {prefix: "/"}
            route: {cluster: backend}
        """, cluster("backend", "ROUND_ROBIN", "a"));
  }

  /** The same bootstrap without listeners, as an LDS update removing them arrives. */
  private static void removeListeners(ProxyHarness proxy) throws Exception {
    var none = config().replaceAll("(?s)  listeners:.*?  clusters:", "  listeners: []\n  clusters:")
        .replace("${a}", Integer.toString(a.port()));
    proxy.server().update(ProxyConfigBuilder.fromBootstrap(BootstrapLoader.parse("v2", none), 2));
  }

  @Test
  void http11AnswersTheRequestInProgressWithConnectionCloseAndClosesIdleConnections() throws Exception {
    a.respondWith(r -> r.uri().startsWith("/slow") ? Reply.ok("slow").withDelay(Duration.ofSeconds(3)) : Reply.ok("fast"));
    try (var proxy = ProxyHarness.start(config(), a); var busy = proxy.client(); var idle = proxy.client()) {
      assertThat(idle.get("x", "/first").status()).isEqualTo(200);
      assertThat(busy.get("x", "/first").header("connection")).isNull();
      busy.write("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n");
      ProxyHarness.await(() -> a.requests().stream().anyMatch(r -> r.uri().equals("/slow")));
      var inFlight = CompletableFuture.supplyAsync(() -> {
        try {
          return busy.read();
        } catch (Exception e) {
          throw new RuntimeException(e);
        }
      });
      removeListeners(proxy);
      var res = inFlight.get(10, TimeUnit.SECONDS);
      assertThat(res.status()).isEqualTo(200);
      assertThat(res.body()).isEqualTo("slow");
      assertThat(res.header("connection")).isEqualToIgnoringCase("close");
      assertThat(busy.closedByPeer()).as("closed after the response").isTrue();
      assertThat(idle.closedByPeer()).as("an idle connection is closed at once").isTrue();
    }
  }

  @Test
  void http2ConnectionsGetGoAwayAndClose() throws Exception {
    a.respondWith(Reply.ok("h2"));
    try (var proxy = ProxyHarness.start(config(), a); var c = new H2cClient(proxy.port("http"))) {
      assertThat(c.send("GET", "x", "/before", null).status()).isEqualTo(200);
      removeListeners(proxy);
      assertThat(c.goAway.get(10, TimeUnit.SECONDS)).as("GOAWAY with NO_ERROR").isZero();
      ProxyHarness.await(() -> !c.isOpen());
      assertThat(c.isOpen()).as("closed: no stream was open").isFalse();
    }
  }
}
