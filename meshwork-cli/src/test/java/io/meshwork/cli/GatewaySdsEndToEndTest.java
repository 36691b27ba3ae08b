package io.meshwork.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.config.codec.ConfigLoader;
import io.meshwork.control.ControlPlane;
import io.meshwork.control.store.ConfigStore;
import io.meshwork.proxy.xds.XdsProxy;
import io.meshwork.testing.FakeUpstream;
import io.meshwork.xds.client.NodeInfo;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A Gateway server with {@code tls.credentialName}, through the real control plane and a gateway
 * proxy over ADS: the listener warms (the gateway's plain port serves meanwhile) until a
 * {@code kubernetes.io/tls} Secret of that name is applied in the gateway's namespace; the
 * control plane then serves {@code kubernetes://NAME} over SDS, the listener binds and HTTPS with
 * SNI gets that certificate. Replacing the Secret rotates the certificate for new connections
 * while the listener keeps its socket.
 */
class GatewaySdsEndToEndTest {
  private final List<AutoCloseable> closers = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    for (var c : closers.reversed()) {
      c.close();
    }
  }

  private static String pem(String name) throws Exception {
    return Files.readString(Path.of(GatewaySdsEndToEndTest.class.getResource("/tls/" + name).toURI()));
  }

  private static int freePort() throws Exception {
    return MeshMtlsEndToEndTest.freePort(); // outside the ephemeral range: no port-0 bind can take it first
  }

  private static void apply(ControlPlane cp, String yaml) {
    var result = cp.store().apply(ConfigStore.API, ConfigLoader.create().loadText("test.yaml", yaml));
    assertThat(result.errors()).isEmpty();
  }

  /** Waits (generously: the machine is loaded) until {@code check} returns true without throwing. */
  private static void await(String what, Callable<Boolean> check) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    Exception last = null;
    while (System.nanoTime() < deadline) {
      try {
        if (check.call()) {
          return;
        }
      } catch (Exception e) {
        last = e;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("timed out waiting for " + what, last);
  }

  /** Trusts any server; presents {@code client} ({@code NAME.crt} / {@code NAME.key}). */
  private static SSLContext trustAll(String client) throws Exception {
    var cert = java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(
        new java.io.ByteArrayInputStream(pem(client + ".crt").getBytes(StandardCharsets.US_ASCII)));
    var body = pem(client + ".key").replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
    var key = java.security.KeyFactory.getInstance("EC").generatePrivate(new java.security.spec.PKCS8EncodedKeySpec(Base64.getDecoder().decode(body)));
    var ks = java.security.KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    ks.setKeyEntry("client", key, new char[0], new java.security.cert.Certificate[] {cert});
    var kmf = javax.net.ssl.KeyManagerFactory.getInstance(javax.net.ssl.KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, new char[0]);
    return TlsProbe.trustAll(kmf.getKeyManagers());
  }

  private static String secretWithStringData(String crt, String key) {
    return """
        apiVersion: v1
        kind: Secret
        metadata: {name: cert-a, namespace: istio-system}
        type: kubernetes.io/tls
        stringData:
          tls.crt: |
        %s
          tls.key: |
        %s
        """.formatted(crt.indent(4).stripTrailing(), key.indent(4).stripTrailing());
  }

  private static String secretWithData(String crt, String key) {
    var b64 = Base64.getEncoder();
    return """
        apiVersion: v1
        kind: Secret
        metadata: {name: cert-a, namespace: istio-system}
        type: kubernetes.io/tls
        data:
          tls.crt: %s
          tls.key: %s
        """.formatted(b64.encodeToString(crt.getBytes(StandardCharsets.US_ASCII)), b64.encodeToString(key.getBytes(StandardCharsets.US_ASCII)));
  }

  /** A control plane with a 20 ms debounce and a short registration grace. */
  private ControlPlane controlPlane() throws Exception {
    var o = ControlPlane.Options.defaults().withPorts(0, 0).withGrace(Duration.ofMillis(300));
    var cp = ControlPlane.start(new ControlPlane.Options(o.configDir(), o.host(), 0, 0, o.registrationGrace(), Duration.ofMillis(20), true));
    closers.add(cp::close);
    return cp;
  }

  /** Service svc-a with one WorkloadEntry at the upstream on {@code port}. */
  private static String serviceA(int port) {
    return """
        apiVersion: v1
        kind: Service
        metadata: {name: svc-a}
        spec:
          selector: {app: svc-a}
          ports:
          - {name: http, port: 80}
        ---
        apiVersion: networking.istio.io/v1
        kind: WorkloadEntry
        metadata: {name: svc-a-1}
        spec:
          address: 127.0.0.1
          labels: {app: svc-a}
          ports: {http: %d}
        ---
        """.formatted(port);
  }

  /** The VirtualService binding a.example.com on the gateway to svc-a. */
  private static final String ROUTE_A = """
      ---
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: a}
      spec:
        hosts: [a.example.com]
        gateways: [istio-system/gw]
        http:
        - route:
          - destination: {host: svc-a.default.svc.cluster.local}
      """;

  @Test
  void credentialNameListenerWarmsUntilTheSecretArrivesThenServesAndRotatesWithoutRebinding() throws Exception {
    var a = FakeUpstream.named("a").start();
    closers.add(a::close);
    var cp = controlPlane();
    int https = freePort();
    int http = freePort();
    apply(cp, serviceA(a.port()) + """
        apiVersion: networking.istio.io/v1
        kind: Gateway
        metadata: {name: gw, namespace: istio-system}
        spec:
          selector: {istio: ingressgateway}
          servers:
          - port: {number: %d, name: https, protocol: HTTPS}
            hosts: [a.example.com]
            tls: {mode: SIMPLE, credentialName: cert-a}
          - port: {number: %d, name: http, protocol: HTTP}
            hosts: [a.example.com]
        """.formatted(https, http) + ROUTE_A);

    var node = NodeInfo.sidecar("ingress", "istio-system", Map.of("istio", "ingressgateway"), "127.0.0.1", Map.of()).asGateway();
    var progress = new java.io.ByteArrayOutputStream();
    var gw = XdsProxy.start("127.0.0.1:" + cp.xdsPort(), node, null, 1, System.out,
        new java.io.PrintStream(progress, true, StandardCharsets.UTF_8));
    closers.add(gw);
    assertThat(gw.awaitFirstConfig(Duration.ofSeconds(30))).isTrue();
    // No Secret yet: the HTTPS listener warms, the gateway's other port serves.
    await("the plain port to serve", () -> plainGet(http).endsWith("\r\n\r\na"));
    String httpsListener = "0.0.0.0_" + https;
    assertThat(gw.lastRejection()).as("a missing secret is no NACK").isEmpty();
    assertThat(boundPort(gw, httpsListener)).as("warming without its secret").isEqualTo(-1);

    apply(cp, secretWithStringData(pem("a.example.com.crt"), pem("a.example.com.key")));
    await("the HTTPS listener to bind once the Secret arrived", () -> boundPort(gw, httpsListener) == https);
    var first = TlsProbe.exchange(https, "a.example.com", "/over-tls");
    assertThat(first[0]).isEqualTo("CN=a.example.com");
    assertThat(first[1]).startsWith("HTTP/1.1 200").endsWith("\r\n\r\na");
    var socketBefore = gw.server().listenerSocketId(httpsListener);

    // Rotation: the same Secret with another certificate (this time as base64 data).
    apply(cp, secretWithData(pem("b.example.com.crt"), pem("b.example.com.key")));
    await("new connections to get the rotated certificate", () -> TlsProbe.exchange(https, "a.example.com", "/x")[0].equals("CN=b.example.com"));
    var rotated = TlsProbe.exchange(https, "a.example.com", "/after-rotation");
    assertThat(rotated[0]).isEqualTo("CN=b.example.com");
    assertThat(rotated[1]).startsWith("HTTP/1.1 200").endsWith("\r\n\r\na");
    assertThat(gw.server().listenerSocketId(httpsListener)).as("the listener kept its socket: not rebound").isEqualTo(socketBefore);
    assertThat(gw.lastRejection()).isEmpty();
    assertThat(a.requests()).extracting(q -> q.uri()).contains("/over-tls", "/after-rotation");
    var log = progress.toString(StandardCharsets.UTF_8);
    assertThat(log).contains("not bound: warming: waits for the SDS secret \"kubernetes://cert-a\"");
    assertThat(log).as("key material never logged").doesNotContain("PRIVATE KEY").doesNotContain(pem("a.example.com.key").lines().skip(1).findFirst().orElseThrow());
  }

  @Test
  void mutualCredentialNameTakesItsClientCaFromTheSecretsCaCrt() throws Exception {
    var a = FakeUpstream.named("a").start();
    closers.add(a::close);
    var cp = controlPlane();
    int https = freePort();
    apply(cp, serviceA(a.port()) + """
        apiVersion: networking.istio.io/v1
        kind: Gateway
        metadata: {name: gw, namespace: istio-system}
        spec:
          selector: {istio: ingressgateway}
          servers:
          - port: {number: %d, name: https, protocol: HTTPS}
            hosts: [a.example.com]
            tls: {mode: MUTUAL, credentialName: cert-a}
        """.formatted(https) + ROUTE_A + "---\n" + secretWithStringData(pem("a.example.com.crt"), pem("a.example.com.key"))
        + "  ca.crt: |\n" + pem("b.example.com.crt").indent(4));
    var node = NodeInfo.sidecar("ingress", "istio-system", Map.of("istio", "ingressgateway"), "127.0.0.1", Map.of()).asGateway();
    var gw = XdsProxy.start("127.0.0.1:" + cp.xdsPort(), node, null, 1, System.out, System.err);
    closers.add(gw);
    String httpsListener = "0.0.0.0_" + https;
    await("the MUTUAL listener to bind with its certificate and client CA", () -> boundPort(gw, httpsListener) == https);
    var withClientCert = TlsProbe.exchange(trustAll("b.example.com"), https, "a.example.com", "/mtls");
    assertThat(withClientCert[0]).isEqualTo("CN=a.example.com");
    assertThat(withClientCert[1]).startsWith("HTTP/1.1 200").endsWith("\r\n\r\na");
    String refused;
    try {
      refused = TlsProbe.exchange(TlsProbe.trustAll(null), https, "a.example.com", "/no-cert")[1];
    } catch (java.io.IOException e) {
      refused = "refused: " + e.getClass().getSimpleName();
    }
    assertThat(refused).as("no client certificate: the handshake is refused").doesNotStartWith("HTTP/1.1 200");
    assertThat(a.requests()).extracting(q -> q.uri()).containsExactly("/mtls");
  }

  /** Istio's generic form: an Opaque Secret {@code name} with {@code cert}, {@code key} (base64 data) and {@code extra} lines. */
  private static String genericSecret(String name, String crt, String key, String extra) {
    var b64 = Base64.getEncoder();
    return """
        apiVersion: v1
        kind: Secret
        metadata: {name: %s, namespace: istio-system}
        type: Opaque
        data:
          cert: %s
          key: %s
        """.formatted(name, b64.encodeToString(crt.getBytes(StandardCharsets.US_ASCII)), b64.encodeToString(key.getBytes(StandardCharsets.US_ASCII)))
        + extra;
  }

  private static java.security.cert.X509Certificate certificate(String name) throws Exception {
    return (java.security.cert.X509Certificate) java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(
        new java.io.ByteArrayInputStream(pem(name).getBytes(StandardCharsets.US_ASCII)));
  }

  /** The cells of the table row for {@code name}. */
  private static String[] row(String table, String name) {
    return table.lines().filter(l -> l.startsWith(name + " ")).findFirst().orElseThrow(() -> new AssertionError("no row " + name + " in\n" + table))
        .split("\\s{3,}");
  }

  /** The subject the gateway presents for {@code sni}, or "failed: ..." when the handshake fails. */
  private static String handshake(int port, String sni) {
    try {
      return TlsProbe.exchange(port, sni, "/probe")[0];
    } catch (Exception e) {
      return "failed: " + e.getClass().getSimpleName();
    }
  }

  @Test
  void deletingASecretWithdrawsItsCertificateWhileTheOtherSniKeepsServing() throws Exception {
    var a = FakeUpstream.named("a").start();
    closers.add(a::close);
    var cp = controlPlane();
    int https = freePort();
    apply(cp, serviceA(a.port()) + """
        apiVersion: networking.istio.io/v1
        kind: Gateway
        metadata: {name: gw, namespace: istio-system}
        spec:
          selector: {istio: ingressgateway}
          servers:
          - port: {number: %d, name: https-a, protocol: HTTPS}
            hosts: [a.example.com]
            tls: {mode: SIMPLE, credentialName: cert-a}
          - port: {number: %d, name: https-b, protocol: HTTPS}
            hosts: [b.example.com]
            tls: {mode: SIMPLE, credentialName: cert-b}
        """.formatted(https, https) + ROUTE_A + "---\n" + secretWithStringData(pem("a.example.com.crt"), pem("a.example.com.key"))
        + "---\n" + genericSecret("cert-b", pem("b.example.com.crt"), pem("b.example.com.key"), ""));
    var node = NodeInfo.sidecar("ingress", "istio-system", Map.of("istio", "ingressgateway"), "127.0.0.1", Map.of()).asGateway();
    var gw = XdsProxy.start("127.0.0.1:" + cp.xdsPort(), node, new java.net.InetSocketAddress("127.0.0.1", 0), 1, System.out, System.err);
    closers.add(gw);
    String httpsListener = "0.0.0.0_" + https;
    await("both certificates to be served", () -> boundPort(gw, httpsListener) == https
        && handshake(https, "a.example.com").equals("CN=a.example.com") && handshake(https, "b.example.com").equals("CN=b.example.com"));
    var served = TlsProbe.exchange(https, "a.example.com", "/before-delete");
    assertThat(served[1]).startsWith("HTTP/1.1 200").endsWith("\r\n\r\na");
    // proxy-config secret lists the gateway's certificates too (istioctl's columns), never a key.
    var admin = "127.0.0.1:" + gw.server().adminPort();
    var table = CliRunner.run("proxy-config", "secret", "any", "--admin", admin);
    assertThat(table.exitCode()).as(table.err()).isZero();
    var certA = certificate("a.example.com.crt");
    assertThat(row(table.out(), "kubernetes://cert-a")).startsWith("kubernetes://cert-a", "Cert Chain", "ACTIVE", "true",
        certA.getSerialNumber().toString(16), certA.getNotAfter().toInstant().toString(), certA.getNotBefore().toInstant().toString());
    assertThat(row(table.out(), "kubernetes://cert-b")).startsWith("kubernetes://cert-b", "Cert Chain", "ACTIVE", "true",
        certificate("b.example.com.crt").getSerialNumber().toString(16));
    var json = CliRunner.run("proxy-config", "secret", "any", "--admin", admin, "-o", "json");
    assertThat(json.exitCode()).as(json.err()).isZero();
    var keyBody = pem("a.example.com.key").lines().filter(l -> !l.startsWith("-----")).findFirst().orElseThrow();
    assertThat(json.out()).contains("kubernetes://cert-a", "[redacted]").doesNotContain("PRIVATE KEY").doesNotContain(keyBody)
        .doesNotContain(Base64.getEncoder().encodeToString(pem("a.example.com.key").getBytes(StandardCharsets.US_ASCII)).substring(0, 40));

    assertThat(cp.store().delete(List.of(new io.meshwork.config.ResourceKey("", "Secret", "istio-system", "cert-a"))).errors()).isEmpty();
    await("a.example.com's handshake to fail once its Secret is deleted", () -> handshake(https, "a.example.com").startsWith("failed"));
    assertThat(handshake(https, "b.example.com")).as("the other server (an Opaque cert/key Secret) keeps serving").isEqualTo("CN=b.example.com");
    assertThat(gw.lastRejection()).as("a withdrawn secret is no NACK").isEmpty();
    assertThat(a.requests()).extracting(q -> q.uri()).contains("/before-delete");
    await("proxy-config secret to show the deleted one as warming", () -> row(CliRunner.run("proxy-config", "secret", "any", "--admin",
        admin).out(), "kubernetes://cert-a")[2].equals("WARMING"));

    // Deleting the last one: the listener warms again; re-creating the Secret brings it back.
    assertThat(cp.store().delete(List.of(new io.meshwork.config.ResourceKey("", "Secret", "istio-system", "cert-b"))).errors()).isEmpty();
    await("the listener to warm once no chain has its secret", () -> boundPort(gw, httpsListener) == -1);
    apply(cp, secretWithStringData(pem("a.example.com.crt"), pem("a.example.com.key")));
    await("a.example.com to serve again", () -> handshake(https, "a.example.com").equals("CN=a.example.com"));
  }

  @Test
  void mutualTakesItsClientCaFromASeparateCacertSecretAndAGenericCertificate() throws Exception {
    var a = FakeUpstream.named("a").start();
    closers.add(a::close);
    var cp = controlPlane();
    int https = freePort();
    var b64 = Base64.getEncoder();
    apply(cp, serviceA(a.port()) + """
        apiVersion: networking.istio.io/v1
        kind: Gateway
        metadata: {name: gw, namespace: istio-system}
        spec:
          selector: {istio: ingressgateway}
          servers:
          - port: {number: %d, name: https, protocol: HTTPS}
            hosts: [a.example.com]
            tls: {mode: MUTUAL, credentialName: cert-a}
        """.formatted(https) + ROUTE_A + "---\n" + genericSecret("cert-a", pem("a.example.com.crt"), pem("a.example.com.key"), "")
        + "---\n" + """
        apiVersion: v1
        kind: Secret
        metadata: {name: cert-a-cacert, namespace: istio-system}
        type: Opaque
        data:
          ca.crt: %s
        """.formatted(b64.encodeToString(pem("b.example.com.crt").getBytes(StandardCharsets.US_ASCII))));
    var node = NodeInfo.sidecar("ingress", "istio-system", Map.of("istio", "ingressgateway"), "127.0.0.1", Map.of()).asGateway();
    var gw = XdsProxy.start("127.0.0.1:" + cp.xdsPort(), node, null, 1, System.out, System.err);
    closers.add(gw);
    await("the MUTUAL listener to bind with the generic certificate and the -cacert CA", () -> boundPort(gw, "0.0.0.0_" + https) == https);
    var withClientCert = TlsProbe.exchange(trustAll("b.example.com"), https, "a.example.com", "/mtls");
    assertThat(withClientCert[0]).isEqualTo("CN=a.example.com");
    assertThat(withClientCert[1]).startsWith("HTTP/1.1 200").endsWith("\r\n\r\na");
    String untrusted;
    try {
      untrusted = TlsProbe.exchange(trustAll("a.example.com"), https, "a.example.com", "/not-trusted")[1];
    } catch (java.io.IOException e) {
      untrusted = "refused: " + e.getClass().getSimpleName();
    }
    assertThat(untrusted).as("a client certificate the -cacert bundle does not trust is refused").doesNotStartWith("HTTP/1.1 200");
    assertThat(a.requests()).extracting(q -> q.uri()).containsExactly("/mtls");
  }

  private static String plainGet(int port) throws Exception {
    try (var s = new java.net.Socket("127.0.0.1", port)) {
      s.setSoTimeout(20_000);
      s.getOutputStream().write("GET /plain HTTP/1.1\r\nHost: a.example.com\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
      return new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
    }
  }

  private static int boundPort(XdsProxy gw, String listener) {
    try {
      return gw.server().listenerPort(listener);
    } catch (IllegalArgumentException e) {
      return -1;
    }
  }
}
