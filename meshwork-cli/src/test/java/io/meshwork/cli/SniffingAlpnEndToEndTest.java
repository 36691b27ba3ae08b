package io.meshwork.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.config.codec.ConfigLoader;
import io.meshwork.control.ControlPlane;
import io.meshwork.control.ca.CaSettings;
import io.meshwork.control.store.ConfigStore;
import io.meshwork.proxy.mtls.WorkloadAgent;
import io.meshwork.proxy.xds.XdsProxy;
import io.meshwork.security.identity.SpiffeId;
import io.meshwork.security.pki.KeyAlgorithm;
import io.meshwork.xds.client.NodeInfo;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTP on ports of unknown protocol between two sidecars over STRICT mTLS, as Istio serves it: the
 * client sidecar's {@code istio.alpn} filter offers {@code istio-http/1.1} on the HTTP connection,
 * so the destination sidecar takes its inbound HTTP chain and reports the request itself
 * ({@code istio_requests_total{reporter="destination"}}) and authorizes it by path (a DENY on
 * {@code /admin*} answers 403, other paths pass); raw TCP on another unnamed port of the same service
 * (offering only {@code istio}) still takes the TCP chain and reaches the backend untouched. Without
 * the per-connection ALPN the destination relays HTTP as opaque TCP: no destination metrics, and the
 * path rule, which a TCP chain cannot see, closes every connection to the port instead.
 */
class SniffingAlpnEndToEndTest {
  @TempDir Path dir;
  SniffingEndToEndTest.DualBackend web;
  SniffingEndToEndTest.DualBackend raw;
  ControlPlane cp;
  XdsProxy server;
  XdsProxy client;
  int webInbound;
  int rawInbound;
  int webBind;
  int rawBind;
  final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

  String mesh() {
    return """
        apiVersion: v1
        kind: Service
        metadata: {name: kv}
        spec:
          selector: {app: kv}
          ports:
          - {name: web, port: 7000}
          - {name: raw, port: 7100}
        ---
        apiVersion: security.istio.io/v1
        kind: PeerAuthentication
        metadata: {name: default, namespace: istio-system}
        spec:
          mtls: {mode: STRICT}
        ---
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata: {name: no-admin, namespace: default}
        spec:
          selector: {matchLabels: {app: kv}}
          action: DENY
          rules:
          - to:
            - operation: {ports: ["%d"], paths: ["/admin*"]}
        """.formatted(webInbound);
  }

  @BeforeEach
  void start() throws Exception {
    web = new SniffingEndToEndTest.DualBackend();
    raw = new SniffingEndToEndTest.DualBackend();
    webInbound = MeshMtlsEndToEndTest.freePort();
    rawInbound = MeshMtlsEndToEndTest.freePort();
    webBind = MeshMtlsEndToEndTest.freePort();
    rawBind = MeshMtlsEndToEndTest.freePort();
    var o = ControlPlane.Options.defaults().withPorts(0, 0).withGrace(Duration.ofMillis(300));
    cp = ControlPlane.start(new ControlPlane.Options(null, "127.0.0.1", 0, 0, o.registrationGrace(), Duration.ofMillis(20), true),
        CaSettings.selfSigned(dir.resolve("ca-state"), 0));
    var result = cp.store().apply(ConfigStore.API, ConfigLoader.create().loadText("test.yaml", mesh()));
    assertThat(result.errors()).isEmpty();
    var root = dir.resolve("root-cert.pem");
    Files.writeString(root, cp.ca().rootPem());
    server = sidecar(root, "kv", NodeInfo.sidecar("kv-v1", "default", Map.of("app", "kv"), "127.0.0.1",
        Map.of("web", web.server.getLocalPort(), "raw", raw.server.getLocalPort()))
        .withInboundPorts(Map.of("web", webInbound, "raw", rawInbound)));
    client = sidecar(root, "client", NodeInfo.sidecar("client-v1", "default", Map.of("app", "client"), "127.0.0.1", Map.of())
        .withUpstreamBinds(Map.of("kv:7000", "127.0.0.1:" + webBind, "kv:7100", "127.0.0.1:" + rawBind)));
  }

  XdsProxy sidecar(Path root, String sa, NodeInfo node) throws Exception {
    var token = dir.resolve(sa + ".token");
    cp.ca().issueJoinToken("default", sa, null, token);
    var identity = new WorkloadAgent.Options("127.0.0.1:" + cp.ca().port(), token, root, SpiffeId.of("default", sa), null,
        KeyAlgorithm.EC_P256);
    var proxy = XdsProxy.start("127.0.0.1:" + cp.xdsPort(), node.withServiceAccount(sa), new InetSocketAddress("127.0.0.1", 0), 1,
        System.out, System.err, identity);
    assertThat(proxy.awaitFirstConfig(Duration.ofSeconds(20))).isTrue();
    return proxy;
  }

  @AfterEach
  void stop() throws Exception {
    for (var p : new XdsProxy[] {client, server}) {
      if (p != null) {
        p.close();
      }
    }
    if (cp != null) {
      cp.close();
    }
    for (var b : new SniffingEndToEndTest.DualBackend[] {web, raw}) {
      if (b != null) {
        b.close();
      }
    }
  }

  /** Sends GET {@code path} through the client sidecar until the response satisfies {@code done} (the first configs may lag). */
  HttpResponse<String> await(String path, Predicate<HttpResponse<String>> done) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    String last = "none";
    while (System.nanoTime() < deadline) {
      try {
        var r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + webBind + path))
            .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        if (done.test(r)) {
          return r;
        }
        last = r.statusCode() + " " + r.body();
      } catch (java.io.IOException e) {
        last = e.toString();
      }
      Thread.sleep(50);
    }
    throw new AssertionError("no expected answer for " + path + " through the mesh; last " + last);
  }

  String scrape(XdsProxy proxy) throws Exception {
    var r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.server().prometheusPort() + "/stats/prometheus"))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    return r.body();
  }

  @Test
  void httpOnAnUnnamedPortIsServedAsHttpByTheDestinationSidecarAndRawTcpStillPasses() throws Exception {
    var ok = await("/items/1", r -> r.statusCode() == 200);
    assertThat(ok.body()).isEqualTo("backend");
    int served = web.httpRequests.get();
    var denied = await("/admin/users", r -> r.statusCode() == 403);
    assertThat(denied.body()).isEqualTo("RBAC: access denied");
    assertThat(web.httpRequests.get()).as("the denied request never reached the app").isEqualTo(served);

    // The destination sidecar reported both requests itself, as HTTP.
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    String metrics = scrape(server);
    while (!metrics.contains("response_code=\"403\"") && System.nanoTime() < deadline) {
      Thread.sleep(100);
      metrics = scrape(server);
    }
    var destination = metrics.lines().filter(l -> l.startsWith("istio_requests_total{reporter=\"destination\"")).toList();
    assertThat(destination).as(metrics).anySatisfy(l -> assertThat(l).contains("response_code=\"200\"",
        "source_workload=\"client-v1\"", "destination_workload=\"kv-v1\"", "connection_security_policy=\"mutual_tls\""));
    assertThat(destination).anySatisfy(l -> assertThat(l).contains("response_code=\"403\""));

    // Raw TCP on the other unnamed port: the cluster's ALPN (istio) takes the destination's TCP chain.
    int httpBefore = raw.httpRequests.get();
    try (var s = new Socket("127.0.0.1", rawBind)) {
      s.setSoTimeout(15_000);
      var in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
      s.getOutputStream().write("PING\r\nSET k v\r\n".getBytes(StandardCharsets.US_ASCII));
      assertThat(in.readLine()).isEqualTo("PING");
      assertThat(in.readLine()).isEqualTo("SET k v");
    }
    assertThat(raw.echoedLines.get()).isEqualTo(2);
    assertThat(raw.httpRequests.get()).as("TCP bytes never went through an HTTP path").isEqualTo(httpBefore);
    assertThat(server.server().stats().value("listener.127.0.0.1_" + rawInbound + ".no_filter_chain_match")).isZero();
  }
}
