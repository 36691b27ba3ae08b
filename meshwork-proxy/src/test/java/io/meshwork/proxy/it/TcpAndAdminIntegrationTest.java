package io.meshwork.proxy.it;

import static io.meshwork.proxy.it.ProxyHarness.cluster;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.meshwork.testing.FakeUpstream;
import io.meshwork.testing.LeakDetectionExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Opaque TCP proxying and the admin endpoints. */
@ExtendWith(LeakDetectionExtension.class)
class TcpAndAdminIntegrationTest {
  @RegisterExtension static FakeUpstream a = FakeUpstream.named("a");
  static ProxyHarness proxy;
  static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @BeforeAll
  static void start() throws Exception {
    // Port 1 on loopback: nothing listens there, and unlike a just-freed ephemeral port no other
    // test can grab it in the meantime, so connecting is reliably refused.
    int deadPort = 1;
    var tcp = """
          - name: tcp
            address: {socket_address: {address: 127.0.0.1, port_value: 0}}
            filter_chains:
            - filters:
              - name: envoy.filters.network.tcp_proxy
                typed_config:
                  "@type": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy
                  stat_prefix: raw
                  cluster: backend
                  access_log:
                  - name: envoy.access_loggers.stdout
                    typed_config: {"@type": type.googleapis.com/envoy.extensions.access_loggers.stream.v3.StdoutAccessLog}
          - name: tcp-dead
            address: {socket_address: {address: 127.0.0.1, port_value: 0}}
            filter_chains:
            - filters:
              - name: envoy.filters.network.tcp_proxy
                typed_config:
                  "@type": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy
                  stat_prefix: dead
                  cluster: dead
                  access_log:
                  - name: envoy.access_loggers.stdout
                    typed_config: {"@type": type.googleapis.com/envoy.extensions.access_loggers.stream.v3.StdoutAccessLog}
        """;
    var yaml = ProxyHarness.http("""
        virtual_hosts:
        - name: all
          domains: ["*"]
          routes:
          - match: {prefix: "/"}
            route: {cluster: backend}
        """, (cluster("backend", "ROUND_ROBIN", "a") + cluster("dead", "ROUND_ROBIN", "dead"))
        .replace("${dead}", Integer.toString(deadPort)))
        .replace("  clusters:\n", tcp + "  clusters:\n");
    proxy = ProxyHarness.start(yaml, a);
  }

  @AfterAll
  static void stop() {
    proxy.close();
  }

  private String admin(String path) throws Exception {
    var res = CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.server().adminPort() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(res.statusCode()).isEqualTo(200);
    return res.body();
  }

  @Test
  void tcpProxyRelaysBytesBothWaysAndLogsTheConnection() throws Exception {
    var request = "GET /over-tcp HTTP/1.1\r\nHost: anything\r\nConnection: close\r\n\r\n";
    try (var c = new RawClient(proxy.port("tcp"))) {
      c.write(request);
      var res = c.read();
      assertThat(res.status()).isEqualTo(200);
      assertThat(res.body()).isEqualTo("a");
    }
    assertThat(a.requests()).singleElement().satisfies(r -> assertThat(r.uri()).isEqualTo("/over-tcp"));
    var line = proxy.awaitLogLine("\"- - -\" 0 - " + request.length() + " ");
    assertThat(line).isNotNull().endsWith("\"127.0.0.1:" + a.port() + "\"");
    assertThat(proxy.stat("tcp.raw.downstream_cx_total")).isGreaterThanOrEqualTo(1);
  }

  @Test
  void tcpConnectFailureClosesTheClientWithUf() throws Exception {
    try (var c = new RawClient(proxy.port("tcp-dead"))) {
      assertThat(c.closedByPeer()).isTrue();
    }
    assertThat(proxy.awaitLogLine(" 0 UF 0 0 ")).isNotNull();
    assertThat(proxy.stat("cluster.dead.upstream_cx_connect_fail")).isGreaterThanOrEqualTo(1);
  }

  @Test
  void adminReadyStatsClustersAndConfigDump() throws Exception {
    try (var c = proxy.client()) {
      c.get("x", "/count-me");
    }
    assertThat(admin("/ready")).isEqualTo("LIVE\n");
    var stats = admin("/stats");
    assertThat(stats).containsPattern("(?m)^cluster\\.backend\\.upstream_rq_total: [1-9]\\d*$");
    assertThat(stats).containsPattern("(?m)^http\\.ingress\\.downstream_rq_total: [1-9]\\d*$");
    assertThat(admin("/stats?filter=upstream_rq_total")).doesNotContain("downstream_rq_total");
    var clusters = admin("/clusters");
    assertThat(clusters).contains("backend::127.0.0.1:" + a.port() + "::health_flags::healthy")
        .containsPattern("backend::127\\.0\\.0\\.1:" + a.port() + "::rq_total::[1-9]");
    var dump = new ObjectMapper().readTree(admin("/config_dump"));
    var types = dump.get("configs").findValuesAsText("@type");
    assertThat(types).contains("type.googleapis.com/envoy.admin.v3.ListenersConfigDump",
        "type.googleapis.com/envoy.admin.v3.ClustersConfigDump");
    assertThat(dump.toString()).contains("\"stat_prefix\":\"ingress\"").contains("\"name\":\"backend\"");
  }
}
