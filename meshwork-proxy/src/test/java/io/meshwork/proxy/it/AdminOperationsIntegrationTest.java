package io.meshwork.proxy.it;

import static io.meshwork.proxy.it.ProxyHarness.cluster;
import static io.meshwork.proxy.it.ProxyHarness.http;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshwork.testing.FakeUpstream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** /stats/prometheus, POST /drain_listeners and POST /quitquitquit. */
class AdminOperationsIntegrationTest {
  @RegisterExtension static FakeUpstream a = FakeUpstream.named("a");
  static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  static final String ROUTES = """
      virtual_hosts:
      - name: all
        domains: ["*"]
        routes:
        - match: {prefix: "/"}
          route: {cluster: outbound|9080|v1|reviews.default.svc.cluster.local}
      """;

  static HttpResponse<String> admin(ProxyHarness proxy, String method, String path) throws Exception {
    var req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.server().adminPort() + path))
        .method(method, HttpRequest.BodyPublishers.noBody()).build();
    return CLIENT.send(req, HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void prometheusNamesFollowEnvoyWithIstioStyleClusterNames() throws Exception {
    var cluster = cluster("outbound|9080|v1|reviews.default.svc.cluster.local", "ROUND_ROBIN", "a");
    try (var proxy = ProxyHarness.start(http(ROUTES, cluster.replace("- name: outbound", "- name: \"outbound")
        .replace("cluster.local\n", "cluster.local\"\n")), a); var c = proxy.client()) {
      c.get("x", "/");
      var body = admin(proxy, "GET", "/stats/prometheus").body();
      assertThat(body).contains("# TYPE envoy_cluster_upstream_rq_total counter\n")
          .contains("envoy_cluster_upstream_rq_total{envoy_cluster_name=\"outbound|9080|v1|reviews.default.svc.cluster.local\"} 1\n")
          .contains("envoy_http_downstream_rq_total{envoy_http_conn_manager_prefix=\"ingress\"} 1\n");
    }
  }

  @Test
  void drainStopsAcceptingAndQuitClosesTheProxy() throws Exception {
    var proxy = ProxyHarness.start(http(ROUTES.replace("outbound|9080|v1|reviews.default.svc.cluster.local", "backend"),
        cluster("backend", "ROUND_ROBIN", "a")), a);
    try {
      int port = proxy.port("http");
      var open = proxy.client();
      assertThat(admin(proxy, "GET", "/drain_listeners").statusCode()).isEqualTo(405);
      assertThat(admin(proxy, "POST", "/drain_listeners").body()).isEqualTo("OK\n");
      proxy.assertNotListening(port, "http.ingress.downstream_cx_total");
      assertThatThrownBy(() -> proxy.port("http")).isInstanceOf(IllegalArgumentException.class);
      // A connection accepted before the drain is still served.
      assertThat(open.get("x", "/still-open").status()).isEqualTo(200);
      open.close();
      assertThat(admin(proxy, "POST", "/quitquitquit").body()).isEqualTo("OK\n");
      var done = new java.util.concurrent.CompletableFuture<Void>();
      Thread.ofVirtual().start(() -> {
        try {
          proxy.server().awaitClosed();
          done.complete(null);
        } catch (InterruptedException e) {
          done.completeExceptionally(e);
        }
      });
      done.get(10, java.util.concurrent.TimeUnit.SECONDS);
    } finally {
      proxy.close();
    }
  }

  /**
   * Drain is one-way (issue 12): a config update arriving after {@code /drain_listeners} (an xDS
   * push while the proxy winds down) publishes the new snapshot but binds no listener again, not
   * even a new one, and {@code server.state} reads DRAINING.
   */
  @Test
  void drainStaysInForceAcrossConfigUpdates() throws Exception {
    var yaml = http(ROUTES.replace("outbound|9080|v1|reviews.default.svc.cluster.local", "backend"), cluster("backend", "ROUND_ROBIN", "a"))
        .replace("${a}", Integer.toString(a.port()));
    try (var proxy = ProxyHarness.start(yaml, a)) {
      int port = proxy.port("http");
      assertThat(proxy.stat("server.state")).as("LIVE").isZero();
      assertThat(admin(proxy, "POST", "/drain_listeners").body()).isEqualTo("OK\n");
      assertThat(proxy.stat("server.state")).as("DRAINING").isEqualTo(1);
      var config = io.meshwork.proxy.config.ProxyConfigBuilder.fromBootstrap(
          io.meshwork.xds.bootstrap.BootstrapLoader.parse("update.yaml", yaml.replace("stat_prefix: ingress", "stat_prefix: ingress2")), 2);
      proxy.server().update(config);
      assertThat(proxy.server().snapshots().current().http().get("http").hcm().statPrefix()).as("the update was applied")
          .isEqualTo("ingress2");
      assertThatThrownBy(() -> proxy.port("http")).as("no listener bound again").isInstanceOf(IllegalArgumentException.class);
      proxy.assertNotListening(port, "http.ingress2.downstream_cx_total");
      assertThat(proxy.stat("server.state")).isEqualTo(1);
    }
  }
}
