package io.meshwork.cli;

import static io.meshwork.cli.MeshMtlsEndToEndTest.freePort;
import static io.meshwork.cli.MeshMtlsEndToEndTest.openssl;
import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.config.codec.ConfigLoader;
import io.meshwork.control.ControlPlane;
import io.meshwork.control.store.ConfigStore;
import io.meshwork.proxy.xds.XdsProxy;
import io.meshwork.xds.client.NodeInfo;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DestinationRule TLS origination to an external service, over real sockets: the app speaks
 * plaintext HTTP to its sidecar (an upstream bind for a ServiceEntry host), the sidecar originates
 * TLS to {@code openssl s_server}, a real TLS server with certificates made here by the
 * {@code openssl} command line. SIMPLE verifies the server with {@code caCertificates} (and
 * {@code subjectAltNames}), MUTUAL also presents a client certificate that {@code s_server -Verify}
 * demands. A mismatch fails the request with 503 inside the handshake: the server sees the
 * client's alert and never an HTTP request.
 */
class TlsOriginationEndToEndTest {
  static final String HOST = "ext.example.com";

  @TempDir Path dir;
  ControlPlane cp;
  XdsProxy sidecar;
  Process server;
  final StringBuffer serverOut = new StringBuffer();
  int serverPort;
  int bindPort;
  final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeEach
  void start() throws Exception {
    var o = ControlPlane.Options.defaults().withPorts(0, 0).withGrace(Duration.ofMillis(300));
    cp = ControlPlane.start(new ControlPlane.Options(null, "127.0.0.1", 0, 0, o.registrationGrace(), Duration.ofMillis(20), true));
    serverPort = freePort();
    bindPort = freePort();
    // Two CAs: "ca" signs the server (ext.example.com) and the client certificate; "other" signs nothing we serve.
    ca("ca");
    ca("other");
    leaf("server", "ca", "DNS:" + HOST);
    leaf("client", "ca", "DNS:client.example.com");
    apply("""
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata: {name: ext}
        spec:
          hosts: [%s]
          location: MESH_EXTERNAL
          resolution: STATIC
          ports:
          - {number: 80, name: http, protocol: HTTP}
          endpoints:
          - address: 127.0.0.1
            ports: {http: %d}
        """.formatted(HOST, serverPort));
    sidecar = XdsProxy.start("127.0.0.1:" + cp.xdsPort(), NodeInfo.sidecar("app-v1", "default", Map.of("app", "app"), "127.0.0.1", Map.of())
        .withUpstreamBinds(Map.of(HOST + ":80", "127.0.0.1:" + bindPort)), null, 1, System.out, System.err);
    assertThat(sidecar.awaitFirstConfig(Duration.ofSeconds(20))).isTrue();
  }

  @AfterEach
  void stop() throws Exception {
    if (server != null) {
      server.destroyForcibly().waitFor();
    }
    if (sidecar != null) {
      sidecar.close();
    }
    if (cp != null) {
      cp.close();
    }
  }

  @Test
  void simpleOriginatesTlsVerifiedByTheRulesCaAndSubjectAltNames() throws Exception {
    startServer(false);
    rule("{mode: SIMPLE, caCertificates: %s, sni: %s}".formatted(dir.resolve("ca.pem"), HOST));
    var ok = awaitStatus(200);
    assertThat(ok.body()).as("s_server -www answered over TLS").contains("Ciphers supported in s_server binary");

    // subjectAltNames the server certificate does not have: refused inside the handshake.
    rule("{mode: SIMPLE, caCertificates: %s, sni: %s, subjectAltNames: [other.example.com]}".formatted(dir.resolve("ca.pem"), HOST));
    assertRefused();

    // Matching subjectAltNames: accepted again.
    rule("{mode: SIMPLE, caCertificates: %s, sni: %s, subjectAltNames: [%s]}".formatted(dir.resolve("ca.pem"), HOST, HOST));
    awaitStatus(200);

    // The wrong CA: the server's chain does not verify.
    rule("{mode: SIMPLE, caCertificates: %s, sni: %s}".formatted(dir.resolve("other.pem"), HOST));
    assertRefused();
  }

  @Test
  void mutualPresentsTheClientCertificateTheServerDemands() throws Exception {
    startServer(true);
    // SIMPLE (no client certificate) against s_server -Verify 1: the server refuses the handshake.
    rule("{mode: SIMPLE, caCertificates: %s, sni: %s}".formatted(dir.resolve("ca.pem"), HOST));
    awaitStatus(503);

    rule("{mode: MUTUAL, clientCertificate: %s, privateKey: %s, caCertificates: %s, sni: %s}"
        .formatted(dir.resolve("client.pem"), dir.resolve("client.key"), dir.resolve("ca.pem"), HOST));
    var ok = awaitStatus(200);
    assertThat(ok.body()).contains("Ciphers supported in s_server binary");
    assertThat(serverOut.toString()).as("s_server verified the client certificate").contains("client.example.com");

    // MUTUAL with the wrong CA for the server: refused by the client side.
    rule("{mode: MUTUAL, clientCertificate: %s, privateKey: %s, caCertificates: %s, sni: %s}"
        .formatted(dir.resolve("client.pem"), dir.resolve("client.key"), dir.resolve("other.pem"), HOST));
    assertRefused();
  }

  /** 503 through the sidecar, and the server saw a handshake aborted with an alert, not a request. */
  void assertRefused() throws Exception {
    int alertsBefore = count(serverOut.toString(), "alert");
    var r = awaitStatus(503);
    assertThat(r.body()).doesNotContain("s_server");
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (count(serverOut.toString(), "alert") <= alertsBefore && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(count(serverOut.toString(), "alert")).as("the client aborted the handshake:\n" + serverOut).isGreaterThan(alertsBefore);
  }

  static int count(String s, String word) {
    int n = 0;
    for (int i = s.indexOf(word); i >= 0; i = s.indexOf(word, i + 1)) {
      n++;
    }
    return n;
  }

  void rule(String tls) {
    apply("""
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: ext}
        spec:
          host: %s
          trafficPolicy:
            tls: %s
        """.formatted(HOST, tls));
  }

  void startServer(boolean mutual) throws Exception {
    var cmd = new ArrayList<>(List.of("openssl", "s_server", "-accept", "127.0.0.1:" + serverPort, "-cert", "server.pem", "-key", "server.key",
        "-www"));
    if (mutual) {
      cmd.addAll(List.of("-Verify", "1", "-CAfile", "ca.pem"));
    }
    server = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
    Thread.ofVirtual().start(() -> {
      try (InputStream in = server.getInputStream()) {
        var buf = new byte[4096];
        for (int n; (n = in.read(buf)) > 0; ) {
          serverOut.append(new String(buf, 0, n, StandardCharsets.UTF_8));
        }
      } catch (IOException ignored) {
        // process ended
      }
    });
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (System.nanoTime() < deadline) {
      try (var s = new Socket("127.0.0.1", serverPort)) {
        return;
      } catch (IOException notYet) {
        Thread.sleep(50);
      }
    }
    throw new AssertionError("openssl s_server did not start: " + serverOut);
  }

  void ca(String name) throws Exception {
    run("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", name + ".key", "-out", name + ".pem",
        "-days", "1", "-subj", "/CN=" + name + "-root");
  }

  void leaf(String name, String ca, String san) throws Exception {
    run("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", name + ".key", "-out", name + ".csr",
        "-subj", "/CN=" + san.substring(4));
    Files.writeString(dir.resolve(name + ".ext"), "subjectAltName=" + san + "\n");
    run("x509", "-req", "-in", name + ".csr", "-CA", ca + ".pem", "-CAkey", ca + ".key", "-CAcreateserial", "-out", name + ".pem",
        "-days", "1", "-extfile", name + ".ext");
  }

  void run(String... args) throws Exception {
    var out = openssl(dir, "", args);
    var file = args[java.util.Arrays.asList(args).indexOf("-out") + 1];
    assertThat(dir.resolve(file)).as("openssl " + String.join(" ", args) + ":\n" + out).exists();
  }

  HttpResponse<String> get() throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + bindPort + "/"))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> awaitStatus(int status) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    String last = "none";
    while (System.nanoTime() < deadline) {
      try {
        var r = get();
        last = r.statusCode() + " " + r.headers().map() + " " + r.body();
        if (r.statusCode() == status) {
          return r;
        }
      } catch (IOException e) {
        last = e.toString();
      }
      Thread.sleep(50);
    }
    throw new AssertionError("expected " + status + " from " + HOST + " through the sidecar; last " + last + "\ns_server:\n" + serverOut);
  }

  void apply(String yaml) {
    var result = cp.store().apply(ConfigStore.API, ConfigLoader.create().loadText("test.yaml", yaml));
    assertThat(result.errors()).isEmpty();
  }
}
