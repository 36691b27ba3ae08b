package io.meshwork.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meshwork.cli.demo.PlainHttp;
import io.meshwork.proxy.mtls.WorkloadAgent;
import io.meshwork.proxy.xds.XdsProxy;
import io.meshwork.security.identity.SpiffeId;
import io.meshwork.security.pki.KeyAlgorithm;
import io.meshwork.xds.client.NodeInfo;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the mesh-mode demo must show beyond the votes (issue 8): the console's graph has every
 * edge of the voting app with traffic and mTLS, a workload's inbound port refuses plaintext under
 * STRICT, and Redis's sidecar refuses a caller with {@code result}'s identity while it serves the
 * same request from {@code worker}'s identity over the same path.
 */
final class MeshChecks {
  private static final ObjectMapper JSON = new ObjectMapper();

  private MeshChecks() {}

  /** Source workload -> destination workload, and the protocol the edge must carry. */
  static final Map<String, String> EDGES = new TreeMap<>(Map.of(
      "istio-ingressgateway -> vote-v1", "http",
      "istio-ingressgateway -> vote-v2", "http",
      "istio-ingressgateway -> result", "http",
      "vote-v1 -> redis", "tcp",
      "vote-v2 -> redis", "tcp",
      "worker -> redis", "tcp",
      "worker -> db", "tcp",
      "result -> db", "tcp"));

  /**
   * Polls the Kiali-compatible workload graph (the console scrapes the proxies it found through
   * the control plane every 2 s) until every edge of {@link #EDGES} has a rate above zero and
   * {@code isMTLS} 100, i.e. the destination sidecar reported it with
   * {@code connection_security_policy="mutual_tls"}; then the graph with service nodes must route
   * every edge through the right service, and the versioned-app graph must have the same shape.
   */
  static void graphShowsMtlsEdges(URI console) throws Exception {
    var url = console.resolve("/api/namespaces/graph?namespaces=default&graphType=workload&duration=600s&injectServiceNodes=false");
    long deadline = System.nanoTime() + Duration.ofSeconds(40).toNanos();
    List<String> missing = List.copyOf(EDGES.keySet());
    String last = "";
    while (System.nanoTime() < deadline) {
      var r = PlainHttp.get(url, Map.of(), Duration.ofSeconds(10));
      last = r.body();
      if (r.status() == 200) {
        missing = missingEdges(JSON.readTree(r.body()), "wl:default:");
        if (missing.isEmpty()) {
          break;
        }
      }
      Thread.sleep(1000);
    }
    assertThat(missing).as("graph edges without traffic or mTLS; last graph:\n" + last).isEmpty();

    // With service nodes (Kiali's default): the destination sidecars name the service (their inbound
    // clusters' istio.services metadata), so every edge passes through the right service node.
    var svc = PlainHttp.get(console.resolve("/api/namespaces/graph?namespaces=default&graphType=workload&duration=600s"), Map.of(),
        Duration.ofSeconds(10));
    assertThat(svc.status()).isEqualTo(200);
    var withServices = edgeIds(JSON.readTree(svc.body()));
    assertThat(withServices).as(svc.body()).contains("wl:default:istio-ingressgateway -> svc:default:vote",
        "svc:default:vote -> wl:default:vote-v1", "svc:default:vote -> wl:default:vote-v2", "wl:default:worker -> svc:default:redis",
        "svc:default:redis -> wl:default:redis", "wl:default:result -> svc:default:db", "svc:default:db -> wl:default:db");
    assertThat(withServices).as("no edge to a service the destination could not name").noneMatch(e -> e.contains("svc:unknown"));

    var app = PlainHttp.get(console.resolve("/api/namespaces/graph?namespaces=default&graphType=versionedApp&duration=600s&injectServiceNodes=false"), Map.of(),
        Duration.ofSeconds(10));
    assertThat(app.status()).isEqualTo(200);
    var g = JSON.readTree(app.body());
    var edges = edgeIds(g);
    assertThat(edges).as(app.body()).contains("app:default:vote:v1 -> app:default:redis:v1", "app:default:vote:v2 -> app:default:redis:v1",
        "app:default:worker:v1 -> app:default:db:v1", "app:default:result:v1 -> app:default:db:v1");
  }

  private static List<String> missingEdges(JsonNode graph, String prefix) {
    var byId = new TreeMap<String, JsonNode>();
    graph.path("elements").path("edges").forEach(e -> byId.put(e.path("data").path("source").asText() + " -> "
        + e.path("data").path("target").asText(), e.path("data")));
    var missing = new ArrayList<String>();
    EDGES.forEach((edge, protocol) -> {
      var parts = edge.split(" -> ");
      var d = byId.get(prefix + parts[0] + " -> " + prefix + parts[1]);
      boolean ok = d != null && d.path("traffic").path("protocol").asText().equals(protocol)
          && Double.parseDouble(d.path("traffic").path("rates").path(protocol).asText("0")) > 0
          && d.path("isMTLS").asText().equals("100");
      if (!ok) {
        missing.add(edge + (d == null ? " (no edge)" : " " + d));
      }
    });
    return missing;
  }

  private static List<String> edgeIds(JsonNode graph) {
    var ids = new ArrayList<String>();
    graph.path("elements").path("edges").forEach(e -> ids.add(e.path("data").path("source").asText() + " -> "
        + e.path("data").path("target").asText()));
    return ids;
  }

  /**
   * Under STRICT a workload's inbound port (where its sidecar terminates mTLS next to the app)
   * answers neither a plaintext HTTP request, nor Redis's inline PING, nor openssl without a client
   * certificate.
   */
  static void strictRefusesPlaintext(Path dir, String voteInbound, String redisInbound) throws Exception {
    assertThat(plainExchange(voteInbound, "GET / HTTP/1.1\r\nHost: vote\r\nConnection: close\r\n\r\n"))
        .as("plaintext HTTP to vote v1's inbound port " + voteInbound).isEmpty();
    assertThat(plainExchange(redisInbound, "PING\r\n")).as("plaintext PING to redis's inbound port " + redisInbound).isEmpty();
    var hp = voteInbound.split(":");
    var out = MeshMtlsEndToEndTest.openssl(dir, "GET /healthz HTTP/1.1\r\nHost: vote\r\nConnection: close\r\n\r\n", "s_client",
        "-connect", hp[0] + ":" + hp[1], "-servername", "vote");
    assertThat(out).as("openssl s_client without a client certificate").doesNotContain("HTTP/1.1");
  }

  /**
   * A sidecar started here with {@code result}'s identity (join token from the demo's control
   * plane, as {@code meshwork token create} issues it) reaches Redis through its own bind: Redis's
   * sidecar must close the connection before any Redis reply, while the same client with
   * {@code worker}'s identity gets Redis's answer (without the password: {@code -NOAUTH}).
   */
  static void redisPolicyRefusesResult(Path dir, String controlPlane, String ca, int xdsPort) throws Exception {
    assertThat(redisThrough(dir, "worker", controlPlane, ca, xdsPort)).as("Redis answers worker's identity").startsWith("-");
    assertThat(redisThrough(dir, "result", controlPlane, ca, xdsPort)).as("Redis's sidecar refuses result's identity").isEmpty();
  }

  private static String redisThrough(Path dir, String sa, String controlPlane, String ca, int xdsPort) throws Exception {
    var token = dir.resolve("probe-" + sa + ".token");
    var created = CliRunner.run("token", "create", "--service-account", sa, "-o", token.toString(), "--control-plane", controlPlane);
    assertThat(created.exitCode()).as(created.err()).isZero();
    int bind;
    try (var s = new ServerSocket(0)) {
      bind = s.getLocalPort();
    }
    var identity = new WorkloadAgent.Options(ca, token, token.resolveSibling("root-cert.pem"), SpiffeId.of("default", sa), null,
        KeyAlgorithm.EC_P256);
    var node = NodeInfo.sidecar("policy-probe-" + sa, "default", Map.of("app", "policy-probe"), "127.0.0.1", Map.of())
        .withServiceAccount(sa).withUpstreamBinds(Map.of("redis:6379", "127.0.0.1:" + bind));
    var quiet = new PrintStream(OutputStream.nullOutputStream());
    try (var proxy = XdsProxy.start("127.0.0.1:" + xdsPort, node, null, 1, quiet, quiet, identity)) {
      assertThat(proxy.awaitFirstConfig(Duration.ofSeconds(20))).isTrue();
      assertThat(proxy.agent().secrets().current()).as(sa + "'s certificate").isNotNull();
      // The bind opens with the first config; Redis's endpoint may take one more push.
      String reply = "";
      for (int i = 0; i < 20 && reply.isEmpty(); i++) {
        reply = plainExchange("127.0.0.1:" + bind, "PING\r\n");
        if (reply.isEmpty()) {
          Thread.sleep(250);
        }
      }
      return reply;
    }
  }

  /** Sends {@code request} on a plain socket; the first bytes back, or "" when the peer closes or refuses. */
  static String plainExchange(String hostPort, String request) {
    int colon = hostPort.lastIndexOf(':');
    try (var s = new Socket()) {
      s.connect(new InetSocketAddress(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1))), 3000);
      s.setSoTimeout(3000);
      s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
      s.getOutputStream().flush();
      var buf = new byte[256];
      int n = s.getInputStream().read(buf);
      return n <= 0 ? "" : new String(buf, 0, n, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      return "";
    }
  }
}
