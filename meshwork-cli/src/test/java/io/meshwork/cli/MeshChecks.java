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
   * The trace of a vote (issue 7's "done when", issue 8's "a vote's trace exists"): one vote POSTed
   * through the gateway (voter {@code test-voter-0} again with the same choice, so the tally does not
   * move) with a User-Agent of its own must come back from the console's Jaeger-compatible API as one
   * trace in which the gateway's span routed the POST to a vote subset and a span of a vote sidecar
   * ({@code vote.default}, Istio's {@code app.namespace} service name) is its child, with the status
   * the client saw. Searching by the vote service (as the console's traces page does) and opening the
   * trace by id must find the same trace. Spans are exported in batches, so the check polls.
   */
  static void voteTraceThroughGateway(URI console, URI vote) throws Exception {
    String agent = "meshwork-demo-test/" + Long.toHexString(System.nanoTime());
    var r = PlainHttp.postForm(vote, Map.of("Cookie", "voter_id=test-voter-0", "Accept", "application/json", "User-Agent", agent),
        "vote=a", Duration.ofSeconds(10));
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    String version = r.header("x-vote-version");
    var tags = java.net.URLEncoder.encode("{\"user_agent\":\"" + agent + "\"}", StandardCharsets.UTF_8);
    var search = console.resolve("/api/traces?service=istio-ingressgateway.default&tags=" + tags + "&lookback=1h&limit=20");
    long deadline = System.nanoTime() + Duration.ofSeconds(40).toNanos();
    String traceId = null;
    String last = "";
    while (traceId == null && System.nanoTime() < deadline) {
      var found = PlainHttp.get(search, Map.of(), Duration.ofSeconds(10));
      last = found.body();
      if (found.status() == 200) {
        for (var t : JSON.readTree(found.body()).path("data")) {
          if (voteSpanUnderGateway(t, version)) {
            traceId = t.path("traceID").asText();
          }
        }
      }
      if (traceId == null) {
        Thread.sleep(500);
      }
    }
    assertThat(traceId).as("a trace of the vote (User-Agent %s, answered by vote %s) with the gateway's span as the parent of"
        + " vote's; last search answer:\n%s", agent, version, last).isNotNull();

    var byId = PlainHttp.get(console.resolve("/api/traces/" + traceId), Map.of(), Duration.ofSeconds(10));
    assertThat(byId.status()).isEqualTo(200);
    assertThat(voteSpanUnderGateway(JSON.readTree(byId.body()).path("data").path(0), version)).as(byId.body()).isTrue();
    var services = PlainHttp.get(console.resolve("/api/services"), Map.of(), Duration.ofSeconds(10)).body();
    assertThat(JSON.readTree(services).path("data").toString()).contains("\"vote.default\"", "\"istio-ingressgateway.default\"");
    var byVote = PlainHttp.get(console.resolve("/api/traces?service=vote.default&tags=" + tags + "&lookback=1h"), Map.of(),
        Duration.ofSeconds(10)).body();
    assertThat(JSON.readTree(byVote).path("data").findValuesAsText("traceID")).as(byVote).contains(traceId);
  }

  /**
   * Whether Jaeger trace {@code t} holds the gateway's span for a POST routed to vote's
   * {@code version} subset and, as its child, vote's sidecar span for the same POST answered 200.
   */
  private static boolean voteSpanUnderGateway(JsonNode t, String version) {
    var services = new TreeMap<String, String>();
    t.path("processes").fields().forEachRemaining(e -> services.put(e.getKey(), e.getValue().path("serviceName").asText()));
    var gatewaySpans = new ArrayList<String>();
    for (var s : t.path("spans")) {
      if (services.getOrDefault(s.path("processID").asText(), "").equals("istio-ingressgateway.default")
          && "POST".equals(tag(s, "http.method"))
          && ("outbound|8080|" + version + "|vote.default.svc.cluster.local").equals(tag(s, "upstream_cluster"))) {
        gatewaySpans.add(s.path("spanID").asText());
      }
    }
    for (var s : t.path("spans")) {
      boolean vote = services.getOrDefault(s.path("processID").asText(), "").equals("vote.default")
          && String.valueOf(tag(s, "node_id")).contains("~vote-" + version + ".default~")
          && "POST".equals(tag(s, "http.method")) && "200".equals(tag(s, "http.status_code"));
      if (vote) {
        for (var ref : s.path("references")) {
          if (ref.path("refType").asText().equals("CHILD_OF") && gatewaySpans.contains(ref.path("spanID").asText())) {
            return true;
          }
        }
      }
    }
    return false;
  }

  private static String tag(JsonNode span, String key) {
    for (var tag : span.path("tags")) {
      if (tag.path("key").asText().equals(key)) {
        return tag.path("value").asText();
      }
    }
    return null;
  }

  /** Votes cast before PostgreSQL is killed, and while it is down (before the demo starts it again). */
  static final int KILL_AT = 100;
  static final int WHILE_DOWN = 20;
  /**
   * The restart delay the demo tests ask for ({@code --postgres-restart-delay}): long enough that
   * {@value #WHILE_DOWN} votes are surely cast while PostgreSQL is down, even on a loaded machine
   * (with the default 3 s a CI run at load 40 once cast only part of them in time).
   */
  static final String RESTART_DELAY = "20";

  /**
   * {@code votes} distinct voters ({@code test-voter-N}, alternating a and b) vote through the
   * gateway; PostgreSQL (pid {@code postgresPid}) is killed after {@value #KILL_AT} of them, and
   * {@value #WHILE_DOWN} more are cast before the demo has started it again ({@code demoJson}, the
   * state file, still names the old pid). Returns the vote version that answered each vote.
   */
  static List<String> votesAcrossPostgresRestart(URI vote, long postgresPid, Path demoJson, int votes) throws Exception {
    var versions = new ArrayList<String>();
    for (int i = 0; i < KILL_AT; i++) {
      versions.add(vote(vote, i));
    }
    ProcessHandle.of(postgresPid).orElseThrow().destroyForcibly();
    ProcessHandle.of(postgresPid).ifPresent(p -> p.onExit().join());
    for (int i = KILL_AT; i < KILL_AT + WHILE_DOWN; i++) {
      versions.add(vote(vote, i));
    }
    assertThat(JSON.readTree(java.nio.file.Files.readString(demoJson)).get("pids").get("postgres").asLong())
        .as("the %d votes were cast before the demo restarted PostgreSQL (%s s after it died)", WHILE_DOWN, RESTART_DELAY).isEqualTo(postgresPid);
    for (int i = KILL_AT + WHILE_DOWN; i < votes; i++) {
      versions.add(vote(vote, i));
    }
    return versions;
  }

  /** One vote from voter {@code i} (its own voter_id cookie, its own connection); returns the version that took it. */
  static String vote(URI vote, int i) throws IOException {
    var r = PlainHttp.postForm(vote, Map.of("Cookie", "voter_id=test-voter-" + i, "Accept", "application/json"),
        "vote=" + (i % 2 == 0 ? "a" : "b"), Duration.ofSeconds(10));
    assertThat(r.status()).as("vote %d: %s", i, r.body()).isEqualTo(200);
    var version = r.header("x-vote-version");
    assertThat(r.body()).contains("\"version\":\"" + version + "\"").contains("test-voter-" + i);
    return version;
  }

  /**
   * The 90/10 canary over 200 votes: v2's count is Binomial(200, 0.1), mean 20, standard deviation
   * 4.24; 20 +- 17 (4 standard deviations) fails a correct proxy about once in 16,000 runs, while a
   * 50/50 split (100) or no canary (0) fails it every time.
   */
  static void canarySplit(List<String> versions) {
    assertThat(versions).hasSize(200);
    long v2 = versions.stream().filter("v2"::equals).count();
    assertThat(v2).as("v2 answered %d of %d votes (canary 10%%; accepted 20 +- 17)", v2, versions.size()).isBetween(3L, 37L);
  }

  /** {@code vote-canary-100.yaml} applied with {@code meshwork apply} sends every request to v2. */
  static void canaryStepMovesAllTraffic(URI vote, String controlPlane) throws Exception {
    var applied = CliRunner.run("apply", "-f", DetachedDemoTest.meshDir().resolve("vote-canary-100.yaml").toString(),
        "--control-plane", controlPlane);
    assertThat(applied.exitCode()).as(applied.out() + applied.err()).isZero();
    // Wait for the new routes to reach the gateway (a batch of 20 all v2 by chance at 10%: 1e-20).
    long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    boolean allV2 = false;
    while (!allV2 && System.nanoTime() < until) {
      allV2 = true;
      for (int i = 0; i < 20; i++) {
        allV2 &= "v2".equals(page(vote));
      }
    }
    assertThat(allV2).as("vote-canary-100.yaml moved the traffic to v2 within 20 s").isTrue();
    for (int i = 0; i < 50; i++) {
      assertThat(page(vote)).as("request %d after the 100%% step", i).isEqualTo("v2");
    }
  }

  private static String page(URI vote) throws IOException {
    var r = PlainHttp.get(vote, Map.of(), Duration.ofSeconds(10));
    assertThat(r.status()).isEqualTo(200);
    return r.header("x-vote-version");
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
