package io.meshwork.proxy.it;

import static io.meshwork.proxy.it.ProxyHarness.http;
import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.testing.FakeUpstream;
import io.meshwork.testing.Reply;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A host that keeps failing is ejected and traffic goes to the healthy one. */
class OutlierDetectionIntegrationTest {
  @RegisterExtension static FakeUpstream bad = FakeUpstream.named("bad");
  @RegisterExtension static FakeUpstream good = FakeUpstream.named("good");

  @Test
  void consecutive5xxEjectsTheFailingHost() throws Exception {
    bad.respondWith(Reply.status(500));
    var yaml = http("""
        virtual_hosts:
        - name: all
          domains: ["*"]
          routes:
          - match: {prefix: "/"}
            route: {cluster: backend}
        """, """
        - name: backend
          connect_timeout: 1s
          type: STATIC
          lb_policy: ROUND_ROBIN
          outlier_detection: {consecutive_5xx: 3, base_ejection_time: 60s, max_ejection_percent: 50}
          load_assignment:
            cluster_name: backend
            endpoints:
            - lb_endpoints:
              - endpoint: {address: {socket_address: {address: 127.0.0.1, port_value: ${bad}}}}
              - endpoint: {address: {socket_address: {address: 127.0.0.1, port_value: ${good}}}}
        """);
    try (var proxy = ProxyHarness.start(yaml, bad, good); var c = proxy.client()) {
      for (int i = 0; i < 30; i++) {
        c.get("x", "/r" + i);
      }
      assertThat(bad.requests()).hasSize(3);
      assertThat(good.requests()).hasSize(27);
      assertThat(proxy.stat("cluster.backend.outlier_detection.ejections_enforced_total")).isEqualTo(1);
      var clusters = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + proxy.server().adminPort() + "/clusters")).build(),
          HttpResponse.BodyHandlers.ofString()).body();
      assertThat(clusters).contains("backend::127.0.0.1:" + bad.port() + "::health_flags::/failed_outlier_check")
          .contains("backend::127.0.0.1:" + good.port() + "::health_flags::healthy");
    }
  }
}
