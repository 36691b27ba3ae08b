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
import java.net.ServerSocket;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A port of unknown protocol between two sidecars over mesh mTLS (STRICT): the client sidecar
 * sniffs HTTP and raw TCP on its bind address, and the server sidecar, which reads the client's
 * ALPN from the ClientHello to pick its inbound chain, serves both. If the client offered
 * {@code istio-http/1.1} for every connection of the sniffed port's cluster, the raw TCP bytes
 * would reach the server's HTTP chain and never the backend.
 */
class SniffingMtlsEndToEndTest {
  static final String MESH = """
      apiVersion: v1
      kind: Service
      metadata: {name: kv}
      spec:
        selector: {app: kv}
        ports:
        - {name: kv, port: 7000}
      ---
      apiVersion: security.istio.io/v1
      kind: PeerAuthentication
      metadata: {name: default, namespace: istio-system}
      spec:
        mtls: {mode: STRICT}
      """;

  @TempDir Path dir;
  SniffingEndToEndTest.DualBackend backend;
  ControlPlane cp;
  XdsProxy server;
  XdsProxy client;
  Path root;
  int inboundPort;
  int bindPort;
  final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeEach
  void start() throws Exception {
    backend = new SniffingEndToEndTest.DualBackend();
    var o = ControlPlane.Options.defaults().withPorts(0, 0).withGrace(Duration.ofMillis(300));
    cp = ControlPlane.start(new ControlPlane.Options(null, "127.0.0.1", 0, 0, o.registrationGrace(), Duration.ofMillis(20), true),
        CaSettings.selfSigned(dir.resolve("ca-state"), 0));
    var result = cp.store().apply(ConfigStore.API, ConfigLoader.create().loadText("test.yaml", MESH));
    assertThat(result.errors()).isEmpty();
    root = dir.resolve("root-cert.pem");
    Files.writeString(root, cp.ca().rootPem());
    inboundPort = MeshMtlsEndToEndTest.freePort();
    bindPort = MeshMtlsEndToEndTest.freePort();
    server = sidecar("kv", NodeInfo.sidecar("kv-v1", "default", Map.of("app", "kv"), "127.0.0.1",
        Map.of("kv", backend.server.getLocalPort())).withInboundPorts(Map.of("kv", inboundPort)));
    client = sidecar("client", NodeInfo.sidecar("client-v1", "default", Map.of("app", "client"), "127.0.0.1", Map.of())
        .withUpstreamBinds(Map.of("kv:7000", "127.0.0.1:" + bindPort)));
  }

  XdsProxy sidecar(String sa, NodeInfo node) throws Exception {
    var token = dir.resolve(sa + ".token");
    cp.ca().issueJoinToken("default", sa, null, token);
    var identity = new WorkloadAgent.Options("127.0.0.1:" + cp.ca().port(), token, root, SpiffeId.of("default", sa), null,
        KeyAlgorithm.EC_P256);
    var proxy = XdsProxy.start("127.0.0.1:" + cp.xdsPort(), node.withServiceAccount(sa), null, 1, System.out, System.err, identity);
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
    backend.close();
  }

  /** The first configs may not hold the bind listener or the endpoint yet: retry until HTTP answers 200. */
  HttpResponse<String> awaitHttp() throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    String last = "none";
    while (System.nanoTime() < deadline) {
      try {
        var r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + bindPort + "/items/1"))
            .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
          return r;
        }
        last = r.statusCode() + " " + r.body();
      } catch (java.io.IOException e) {
        last = e.toString();
      }
      Thread.sleep(50);
    }
    throw new AssertionError("no 200 through the mesh for kv:7000; last " + last);
  }

  @Test
  void httpAndTcpCrossTheMtlsHopOfAnUnnamedPort() throws Exception {
    var res = awaitHttp();
    assertThat(res.body()).isEqualTo("backend");
    int httpBefore = backend.httpRequests.get();

    try (var s = new Socket("127.0.0.1", bindPort)) {
      s.setSoTimeout(15_000);
      var in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
      s.getOutputStream().write("PING\r\nSET k v\r\n".getBytes(StandardCharsets.US_ASCII));
      assertThat(in.readLine()).isEqualTo("PING");
      assertThat(in.readLine()).isEqualTo("SET k v");
    }
    assertThat(backend.echoedLines.get()).isEqualTo(2);
    assertThat(backend.httpRequests.get()).as("TCP bytes never went through an HTTP path").isEqualTo(httpBefore);
    assertThat(server.server().stats().value("listener.127.0.0.1_" + inboundPort + ".no_filter_chain_match")).isZero();
  }
}
