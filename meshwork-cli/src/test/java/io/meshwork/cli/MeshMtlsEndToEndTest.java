package io.meshwork.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.config.codec.ConfigLoader;
import io.meshwork.control.ControlPlane;
import io.meshwork.control.ca.CaSettings;
import io.meshwork.control.store.ConfigStore;
import io.meshwork.proxy.mtls.WorkloadAgent;
import io.meshwork.proxy.xds.XdsProxy;
import io.meshwork.security.agent.CsrBuilder;
import io.meshwork.security.ca.CaOptions;
import io.meshwork.security.ca.CertificateAuthority;
import io.meshwork.security.identity.SpiffeId;
import io.meshwork.security.pki.KeyAlgorithm;
import io.meshwork.security.pki.Pem;
import io.meshwork.testing.FakeUpstream;
import io.meshwork.testing.Reply;
import io.meshwork.xds.client.NodeInfo;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mesh mTLS end to end over real sockets: an in-process control plane with its CA (gRPC on a
 * free port), a {@code reviews} sidecar that terminates mTLS on its inbound port in front of a
 * fake app, and a {@code productpage} sidecar whose app calls {@code reviews:9080} through an
 * upstream bind. Both proxies get their identity from join tokens, exactly as
 * {@code meshwork proxy --join-token-file} does. No mTLS configuration is written: auto mTLS and
 * the default PERMISSIVE mode do it, and PeerAuthentication STRICT then proves the hop is mTLS.
 * {@code openssl} is the independent client that checks what the inbound port presents.
 */
class MeshMtlsEndToEndTest {
  static final String MESH = """
      apiVersion: v1
      kind: Service
      metadata: {name: reviews}
      spec:
        selector: {app: reviews}
        ports:
        - {name: http, port: 9080}
      """;
  static final String STRICT = """
      apiVersion: security.istio.io/v1
      kind: PeerAuthentication
      metadata: {name: default, namespace: istio-system}
      spec:
        mtls: {mode: STRICT}
      """;

  @TempDir Path dir;
  FakeUpstream app;
  ControlPlane cp;
  XdsProxy reviews;
  XdsProxy productpage;
  int inboundPort;
  int bindPort;
  Path root;
  final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeEach
  void start() throws Exception {
    app = FakeUpstream.named("reviews-app").start();
    var o = ControlPlane.Options.defaults().withPorts(0, 0).withGrace(Duration.ofMillis(300));
    cp = ControlPlane.start(new ControlPlane.Options(null, "127.0.0.1", 0, 0, o.registrationGrace(), Duration.ofMillis(20), true),
        CaSettings.selfSigned(dir.resolve("ca-state"), 0));
    apply(MESH);
    root = dir.resolve("root-cert.pem");
    Files.writeString(root, cp.ca().rootPem());
    inboundPort = freePort();
    bindPort = freePort();
  }

  @AfterEach
  void stop() throws Exception {
    for (var p : new XdsProxy[] {productpage, reviews}) {
      if (p != null) {
        p.close();
      }
    }
    if (cp != null) {
      cp.close();
    }
    app.close();
  }

  XdsProxy sidecar(String workload, String sa, NodeInfo node, Duration ttl) throws Exception {
    var token = dir.resolve(workload + ".token");
    cp.ca().issueJoinToken("default", sa, null, token);
    assertThat(Files.getPosixFilePermissions(token)).as("join token file mode").isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    var identity = new WorkloadAgent.Options("127.0.0.1:" + cp.ca().port(), token, root, SpiffeId.of("default", sa), ttl, KeyAlgorithm.EC_P256);
    var proxy = XdsProxy.start("127.0.0.1:" + cp.xdsPort(), node.withServiceAccount(sa), null, 1, System.out, System.err, identity);
    assertThat(proxy.agent().secrets().current()).as(workload + " got a certificate before connecting").isNotNull();
    assertThat(proxy.awaitFirstConfig(Duration.ofSeconds(20))).isTrue();
    return proxy;
  }

  void startMesh(Duration ttl) throws Exception {
    reviews = sidecar("reviews", "reviews", NodeInfo.sidecar("reviews-v1", "default", Map.of("app", "reviews"), "127.0.0.1",
        Map.of("http", app.port())).withInboundPorts(Map.of("http", inboundPort)), ttl);
    productpage = sidecar("productpage", "productpage", NodeInfo.sidecar("productpage-v1", "default", Map.of("app", "productpage"),
        "127.0.0.1", Map.of()).withUpstreamBinds(Map.of("reviews:9080", "127.0.0.1:" + bindPort)), ttl);
    awaitStatus(200);
  }

  @Test
  void autoMtlsWithoutConfigurationThenStrictRefusesPlaintext() throws Exception {
    startMesh(null);
    // PERMISSIVE (the default): the inbound port also serves plaintext.
    assertThat(plainGet(inboundPort)).startsWith("HTTP/1.1 200");

    apply(STRICT);
    awaitPlaintextRefused(inboundPort);
    // The sidecar-to-sidecar hop keeps working under STRICT: it is mTLS.
    for (int i = 0; i < 20; i++) {
      assertThat(get().statusCode()).isEqualTo(200);
    }
    assertThat(app.requests()).isNotEmpty();

    // openssl, a real client: the server presents the SPIFFE identity chained to the mesh root...
    var out = sClient(inboundPort, List.of(), "");
    assertThat(out).contains("Verify return code: 0 (ok)");
    var leaf = firstPem(out);
    Files.writeString(dir.resolve("leaf.pem"), leaf);
    assertThat(openssl(dir, "", "x509", "-in", "leaf.pem", "-noout", "-ext", "subjectAltName"))
        .contains("URI:spiffe://cluster.local/ns/default/sa/reviews");

    // ...and with a mesh client certificate it answers HTTP.
    writeClient("mesh", cp.ca().authority(), "default", "sleep");
    var withCert = sClient(inboundPort, List.of("-cert", "mesh-cert.pem", "-key", "mesh-key.pem"),
        "GET / HTTP/1.1\r\nHost: reviews\r\nConnection: close\r\n\r\n");
    assertThat(withCert).contains("HTTP/1.1 200");

    // A certificate from another CA is refused.
    var foreign = CertificateAuthority.selfSigned(dir.resolve("foreign-ca"), CaOptions.defaults(), Clock.systemUTC());
    writeClient("foreign", foreign, "default", "sleep");
    var refused = sClient(inboundPort, List.of("-cert", "foreign-cert.pem", "-key", "foreign-key.pem"),
        "GET / HTTP/1.1\r\nHost: reviews\r\nConnection: close\r\n\r\n");
    assertThat(refused).doesNotContain("HTTP/1.1 200");
  }

  /**
   * AuthorizationPolicy fields that need a proven peer identity (principals, namespaces), enforced
   * on the reviews sidecar over real mTLS: the caller's identity comes from its certificate, not
   * from anything it could claim in a header.
   */
  @Test
  void authorizationPolicyReadsThePrincipalOfTheMtlsPeer() throws Exception {
    startMesh(null);
    apply(STRICT);
    awaitPlaintextRefused(inboundPort);
    apply(policy("ALLOW", "principals: [cluster.local/ns/default/sa/productpage]", ""));
    awaitStatus(200);
    assertThat(get("/", "").statusCode()).isEqualTo(200);

    // Only another identity allowed: productpage's certificate no longer qualifies.
    apply(policy("ALLOW", "principals: [cluster.local/ns/default/sa/ratings]", ""));
    awaitStatus(403);
    var denied = get("/", "");
    assertThat(denied.statusCode()).isEqualTo(403);
    assertThat(denied.body()).isEqualTo("RBAC: access denied");
    // A header cannot impersonate the allowed principal.
    assertThat(get("/", "spiffe://cluster.local/ns/default/sa/ratings").statusCode()).isEqualTo(403);

    // Namespaces come from the certificate too: a DENY for namespace default on /admin only.
    apply(policy("DENY", "namespaces: [default]", "\n    to:\n    - operation: {paths: [/admin]}"));
    awaitStatus(200);
    assertThat(get("/admin", "").statusCode()).isEqualTo(403);
    assertThat(get("/public/../admin", "").statusCode()).as("normalized before policy").isEqualTo(403);
    assertThat(get("/", "").statusCode()).isEqualTo(200);
    int before = app.requests().size();
    assertThat(get("/%61dmin", "").statusCode()).isEqualTo(403);
    assertThat(app.requests()).as("no denied request reached the app").hasSize(before);
  }

  /**
   * Istio's auto mTLS SNI ({@code outbound_.9080_._.reviews.default.svc.cluster.local}, underscores
   * included) travels from the client sidecar to the server sidecar, where an AuthorizationPolicy
   * {@code when: connection.sni} matches it (BoringSSL; the JDK cannot send such a name).
   */
  @Test
  void connectionSniCarriesIstiosOutboundName() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(io.meshwork.proxy.tls.TlsContexts.provider() == io.netty.handler.ssl.SslProvider.OPENSSL,
        "BoringSSL not loaded");
    startMesh(null);
    apply(STRICT);
    awaitPlaintextRefused(inboundPort);
    apply(sniPolicy("outbound_.9080_._.reviews.default.svc.cluster.local"));
    awaitStatus(200);
    apply(sniPolicy("outbound_.9080_.v2_.reviews.default.svc.cluster.local"));
    awaitStatus(403);
    assertThat(get("/", "").body()).isEqualTo("RBAC: access denied");
    apply(sniPolicy("outbound_.9080_*"));
    awaitStatus(200);
    // The inbound listener counts its TLS handshakes as Envoy does (listener.<addr>_<port>.ssl.*).
    long handshakes = reviews.server().stats().snapshot().entrySet().stream()
        .filter(e -> e.getKey().startsWith("listener.") && e.getKey().endsWith("_" + inboundPort + ".ssl.handshake"))
        .mapToLong(Map.Entry::getValue).sum();
    assertThat(handshakes).as("ssl.handshake of the inbound listener in " + reviews.server().stats().snapshot().keySet()).isPositive();
  }

  /**
   * Hostile TLS clients against a sidecar's STRICT mTLS listener (issue 12): an expired client
   * certificate from the mesh CA, a certificate from another CA, no certificate, and plaintext are
   * refused during the handshake, nothing reaches the app, and each refusal is counted on the
   * listener as Envoy counts it ({@code listener.<addr>_<port>.ssl.fail_verify_error},
   * {@code ssl.fail_verify_no_cert}, {@code ssl.connection_error}). A wrong SNI with a valid
   * certificate is not a handshake failure on a sidecar (Istio's inbound chains do not match on SNI;
   * the identity comes from the certificate): it is refused by an AuthorizationPolicy on
   * {@code connection.sni} with 403 and counted as {@code rbac.denied}. Meanwhile the mesh keeps
   * serving: the productpage sidecar's requests and a valid openssl client get 200.
   */
  @Test
  void hostileTlsClientsAreRefusedAndCountedWhileOthersAreServed() throws Exception {
    startMesh(null);
    apply(STRICT);
    awaitPlaintextRefused(inboundPort);
    apply("""
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata: {name: reviews-sni, namespace: default}
        spec:
          selector:
            matchLabels: {app: reviews}
          action: DENY
          rules:
          - when:
            - {key: connection.sni, values: ["evil.example.com"]}
        """);
    awaitStatus(200);
    var request = "GET / HTTP/1.1\r\nHost: reviews\r\nConnection: close\r\n\r\n";
    writeClient("mesh", cp.ca().authority(), "default", "sleep");
    // The mesh's own root and key, with a clock two days back: a certificate that expired 47 hours ago.
    var past = CertificateAuthority.selfSigned(dir.resolve("ca-state"), CaOptions.defaults(),
        Clock.offset(Clock.systemUTC(), Duration.ofDays(-2)));
    writeClient("expired", past, "default", "sleep");
    var foreign = CertificateAuthority.selfSigned(dir.resolve("foreign-ca"), CaOptions.defaults(), Clock.systemUTC());
    writeClient("foreign", foreign, "default", "sleep");
    int appRequests = app.requests().size();

    long verifyErrors = tlsStat("fail_verify_error");
    var expired = sClient(inboundPort, List.of("-cert", "expired-cert.pem", "-key", "expired-key.pem"), request);
    assertThat(expired).doesNotContain("HTTP/1.1 ");
    awaitTlsStat("fail_verify_error", verifyErrors + 1);

    var other = sClient(inboundPort, List.of("-cert", "foreign-cert.pem", "-key", "foreign-key.pem"), request);
    assertThat(other).doesNotContain("HTTP/1.1 ");
    awaitTlsStat("fail_verify_error", verifyErrors + 2);

    long noCert = tlsStat("fail_verify_no_cert");
    assertThat(sClient(inboundPort, List.of(), request)).doesNotContain("HTTP/1.1 ");
    awaitTlsStat("fail_verify_no_cert", noCert + 1);

    long connectionErrors = tlsStat("connection_error");
    assertThat(plainGet(inboundPort)).isEmpty();
    awaitTlsStat("connection_error", connectionErrors + 1);
    assertThat(app.requests()).as("no refused client reached the app").hasSize(appRequests);

    long denied = reviews.server().stats().snapshot().entrySet().stream()
        .filter(e -> e.getKey().startsWith("http.") && e.getKey().endsWith(".rbac.denied")).mapToLong(Map.Entry::getValue).sum();
    var wrongSni = openssl(dir, request, "s_client", "-connect", "127.0.0.1:" + inboundPort, "-CAfile", root.toString(),
        "-servername", "evil.example.com", "-cert", "mesh-cert.pem", "-key", "mesh-key.pem");
    assertThat(wrongSni).contains("HTTP/1.1 403");
    assertThat(reviews.server().stats().snapshot().entrySet().stream()
        .filter(e -> e.getKey().startsWith("http.") && e.getKey().endsWith(".rbac.denied")).mapToLong(Map.Entry::getValue).sum())
        .as("rbac.denied").isGreaterThan(denied);
    assertThat(app.requests()).as("the wrong-SNI request did not reach the app").hasSize(appRequests);

    // The others are still served: a valid client, and the sidecar-to-sidecar hop.
    assertThat(sClient(inboundPort, List.of("-cert", "mesh-cert.pem", "-key", "mesh-key.pem"), request)).contains("HTTP/1.1 200");
    for (int i = 0; i < 10; i++) {
      assertThat(get().statusCode()).isEqualTo(200);
    }
    System.err.printf("reliability: hostile TLS: %s%n", reviews.server().stats().snapshot().entrySet().stream()
        .filter(e -> e.getKey().contains("_" + inboundPort + ".ssl.")).toList());
  }

  /** A TLS counter of the reviews sidecar's inbound listener ({@code listener.<addr>_<port>.ssl.<name>}). */
  long tlsStat(String name) {
    return reviews.server().stats().snapshot().entrySet().stream()
        .filter(e -> e.getKey().startsWith("listener.") && e.getKey().endsWith("_" + inboundPort + ".ssl." + name))
        .mapToLong(Map.Entry::getValue).sum();
  }

  void awaitTlsStat(String name, long atLeast) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (tlsStat(name) < atLeast && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(tlsStat(name)).as("ssl." + name + " in " + reviews.server().stats().snapshot().entrySet().stream()
        .filter(e -> e.getKey().contains(".ssl.")).toList()).isGreaterThanOrEqualTo(atLeast);
  }

  static String sniPolicy(String sni) {
    return """
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata: {name: reviews-policy, namespace: default}
        spec:
          selector:
            matchLabels: {app: reviews}
          action: ALLOW
          rules:
          - when:
            - {key: connection.sni, values: ["%s"]}
        """.formatted(sni);
  }

  static String policy(String action, String source, String rest) {
    return ("""
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata: {name: reviews-policy, namespace: default}
        spec:
          selector:
            matchLabels: {app: reviews}
          action: %s
          rules:
          - from:
            - source: {%s}%s
        """).formatted(action, source, rest);
  }

  HttpResponse<String> get(String path, String spoofedPeer) throws Exception {
    var b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + bindPort + path)).timeout(Duration.ofSeconds(10));
    if (!spoofedPeer.isEmpty()) {
      b.header("x-forwarded-client-cert", "By=" + spoofedPeer + ";URI=" + spoofedPeer);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void clientRefusesAServerWithAnotherIdentity() throws Exception {
    startMesh(null);
    // "ratings" is served (so the registry says) by service account ratings, but the endpoint is
    // the reviews sidecar, certified as sa/reviews: the client proxy must refuse the handshake.
    int ratingsBind = freePort();
    apply("""
        apiVersion: v1
        kind: Service
        metadata: {name: ratings}
        spec:
          selector: {app: ratings}
          ports:
          - {name: http, port: 9080}
        ---
        apiVersion: networking.istio.io/v1
        kind: WorkloadEntry
        metadata: {name: ratings-impostor}
        spec:
          address: 127.0.0.1
          serviceAccount: ratings
          labels: {app: ratings, security.istio.io/tlsMode: istio}
          ports: {http: %d}
        """.formatted(inboundPort));
    productpage.close();
    productpage = sidecar("productpage2", "productpage", NodeInfo.sidecar("productpage-v1", "default", Map.of("app", "productpage"),
        "127.0.0.1", Map.of()).withUpstreamBinds(Map.of("reviews:9080", "127.0.0.1:" + bindPort, "ratings:9080", "127.0.0.1:" + ratingsBind)),
        null);
    awaitStatus(200); // reviews, the right identity, still works
    int before = app.requests().size();
    var r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ratingsBind + "/")).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(app.requests()).as("no request reached the app through the wrong identity").hasSize(before);
  }

  @Test
  void certificatesRotateUnderSteadyTrafficWithoutAFailedRequest() throws Exception {
    // One-minute certificates (MESHWORK_ROTATION_TTL=SECONDS to change), renewed at half-life with jitter.
    var env = System.getenv("MESHWORK_ROTATION_TTL");
    long ttlSeconds = env != null ? Long.parseLong(env) : Long.getLong("meshwork.rotation.ttl", 60);
    startMesh(Duration.ofSeconds(ttlSeconds));
    apply(STRICT);
    awaitPlaintextRefused(inboundPort);
    var firstServing = firstPem(sClient(inboundPort, List.of(), ""));
    long g0 = reviews.agent().secrets().current().generation();
    long c0 = productpage.agent().secrets().current().generation();
    long end = System.nanoTime() + Duration.ofSeconds(ttlSeconds * 8 / 5).toNanos(); // about three renewals each
    int sent = 0;
    var failures = new ArrayList<String>();
    while (System.nanoTime() < end) {
      // Alternate a kept-alive connection and a fresh one, so new handshakes happen across rotations.
      var client = sent % 2 == 0 ? http : HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      try {
        var r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + bindPort + "/")).timeout(Duration.ofSeconds(5)).build(),
            HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
          failures.add("status " + r.statusCode() + " " + r.headers().firstValue("x-envoy-response-flags").orElse(""));
        }
      } catch (IOException e) {
        failures.add(e.toString());
      }
      sent++;
      Thread.sleep(50);
    }
    assertThat(failures).as("failed requests out of " + sent).isEmpty();
    assertThat(reviews.agent().secrets().current().generation() - g0).as("server sidecar renewals").isGreaterThanOrEqualTo(2);
    assertThat(productpage.agent().secrets().current().generation() - c0).as("client sidecar renewals").isGreaterThanOrEqualTo(2);
    var lastServing = firstPem(sClient(inboundPort, List.of(), ""));
    assertThat(lastServing).as("new connections get the renewed certificate").isNotEqualTo(firstServing);
  }

  @Test
  void rootRotationWithAnOverlapFailsNoRequest() throws Exception {
    // 20 s certificates so both steps reach every proxy within a few renewals.
    startMesh(Duration.ofSeconds(20));
    apply(STRICT);
    awaitPlaintextRefused(inboundPort);
    var ca = cp.ca().authority();
    var oldRoot = ca.root();
    var failures = new ArrayList<String>();
    int[] sent = {0};
    Runnable traffic = () -> {
      try {
        var r = get();
        if (r.statusCode() != 200) {
          failures.add("status " + r.statusCode());
        }
      } catch (Exception e) {
        failures.add(e.toString());
      }
      sent[0]++;
    };
    // Step 1: the new root joins the bundle; wait until both proxies trust both roots.
    var newRoot = ca.stageNewRoot();
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!(trusts(reviews, newRoot) && trusts(productpage, newRoot))) {
      assertThat(System.nanoTime()).as("both proxies learn the staged root within a minute").isLessThan(deadline);
      traffic.run();
      Thread.sleep(50);
    }
    // Step 2: the new root signs; the old one stays trusted for the overlap.
    ca.activateStagedRoot(Duration.ofMinutes(5));
    deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!(issuedBy(reviews, newRoot) && issuedBy(productpage, newRoot))) {
      assertThat(System.nanoTime()).as("both proxies renew under the new root within a minute").isLessThan(deadline);
      traffic.run();
      Thread.sleep(50);
    }
    for (int i = 0; i < 20; i++) {
      traffic.run();
    }
    assertThat(failures).as("failed requests out of " + sent[0]).isEmpty();
    assertThat(newRoot).isNotEqualTo(oldRoot);
    // openssl with only the new root verifies what the inbound port serves now.
    Files.writeString(dir.resolve("new-root.pem"), Pem.encode(newRoot));
    var out = openssl(dir, "", "s_client", "-connect", "127.0.0.1:" + inboundPort, "-CAfile", "new-root.pem", "-showcerts");
    assertThat(out).contains("Verify return code: 0 (ok)");
  }

  static boolean trusts(XdsProxy p, java.security.cert.X509Certificate root) {
    return p.agent().secrets().current().credentials().trustBundle().contains(root);
  }

  static boolean issuedBy(XdsProxy p, java.security.cert.X509Certificate root) {
    return p.agent().secrets().current().credentials().leaf().getIssuerX500Principal().equals(root.getSubjectX500Principal())
        && verifies(p.agent().secrets().current().credentials().leaf(), root);
  }

  static boolean verifies(java.security.cert.X509Certificate leaf, java.security.cert.X509Certificate root) {
    try {
      leaf.verify(root.getPublicKey());
      return true;
    } catch (java.security.GeneralSecurityException e) {
      return false;
    }
  }

  // --- helpers ---

  void writeClient(String prefix, CertificateAuthority ca, String ns, String sa) throws IOException {
    var keys = KeyAlgorithm.EC_P256.generate();
    var issued = ca.sign(CsrBuilder.build(keys, SpiffeId.of(ns, sa)), SpiffeId.of(ns, sa), Duration.ofHours(1));
    Files.writeString(dir.resolve(prefix + "-cert.pem"), issued.chainPem());
    Files.writeString(dir.resolve(prefix + "-key.pem"), Pem.encode(keys.getPrivate()));
  }

  String sClient(int port, List<String> extra, String input) throws Exception {
    var args = new ArrayList<>(List.of("s_client", "-connect", "127.0.0.1:" + port, "-CAfile", root.toString(), "-showcerts",
        "-servername", "reviews"));
    args.addAll(extra);
    return openssl(dir, input, args.toArray(String[]::new));
  }

  static String openssl(Path dir, String input, String... args) throws Exception {
    var cmd = new ArrayList<String>(List.of("openssl"));
    cmd.addAll(List.of(args));
    var p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
    try (OutputStream in = p.getOutputStream()) {
      in.write(input.getBytes(StandardCharsets.US_ASCII));
      in.flush();
      Thread.sleep(input.isEmpty() ? 0 : 1500); // let the reply arrive before stdin closes the session
    }
    var out = new StringBuilder();
    var reader = Thread.ofVirtual().start(() -> {
      try (InputStream s = p.getInputStream()) {
        out.append(new String(s.readAllBytes(), StandardCharsets.UTF_8));
      } catch (IOException ignored) {
        // process killed
      }
    });
    if (!p.waitFor(20, TimeUnit.SECONDS)) {
      p.destroyForcibly();
    }
    reader.join(5000);
    return out.toString();
  }

  static String firstPem(String out) {
    int a = out.indexOf("-----BEGIN CERTIFICATE-----");
    int b = out.indexOf("-----END CERTIFICATE-----", a);
    assertThat(a).as("a certificate in:\n" + out).isGreaterThanOrEqualTo(0);
    return out.substring(a, b + "-----END CERTIFICATE-----".length()) + "\n";
  }

  /** A raw HTTP/1.1 request on a plain socket: the response's first bytes, or "" when the connection is refused or closed. */
  static String plainGet(int port) {
    try (var s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(3000);
      s.getOutputStream().write("GET / HTTP/1.1\r\nHost: reviews\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      var buf = new byte[64];
      int n = s.getInputStream().read(buf);
      return n <= 0 ? "" : new String(buf, 0, n, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      return "";
    }
  }

  void awaitPlaintextRefused(int port) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    while (System.nanoTime() < deadline) {
      if (plainGet(port).isEmpty()) {
        return;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("the STRICT port still answers plaintext");
  }

  HttpResponse<String> get() throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + bindPort + "/")).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  void awaitStatus(int status) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    String last = "none";
    while (System.nanoTime() < deadline) {
      try {
        var r = get();
        last = r.statusCode() + " " + r.headers().map();
        if (r.statusCode() == status) {
          return;
        }
      } catch (IOException e) {
        last = e.toString();
      }
      Thread.sleep(50);
    }
    throw new AssertionError("expected " + status + " through the mesh; last " + last);
  }

  void apply(String yaml) {
    var result = cp.store().apply(ConfigStore.API, ConfigLoader.create().loadText("test.yaml", yaml));
    assertThat(result.errors()).isEmpty();
  }

  /**
   * A loopback port free now and outside the kernel's ephemeral range, so that no later bind to port 0
   * (a control plane's CA or xDS server, an admin listener) can be handed the same port before the
   * test binds it: that race failed a CI run (a sidecar's NACK "cannot bind ... Address already in
   * use" after the CA server took the port). Ports are not handed out twice in one JVM.
   */
  static int freePort() throws IOException {
    int low = 20_000;
    int high = ephemeralLow();
    var random = java.util.concurrent.ThreadLocalRandom.current();
    for (int attempt = 0; attempt < 1000; attempt++) {
      int port = random.nextInt(low, high);
      if (!HANDED_OUT.add(port)) {
        continue;
      }
      try (var s = new ServerSocket()) {
        s.bind(new java.net.InetSocketAddress("127.0.0.1", port));
        return port;
      } catch (IOException inUse) {
        // taken: try another
      }
    }
    throw new IOException("no free loopback port in [" + low + ", " + high + ")");
  }

  private static final java.util.Set<Integer> HANDED_OUT = java.util.concurrent.ConcurrentHashMap.newKeySet();

  /** The first port of the kernel's ephemeral range (what port 0 binds use), 32768 when unreadable. */
  private static int ephemeralLow() {
    try {
      var range = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/sys/net/ipv4/ip_local_port_range")).strip().split("\\s+");
      return Math.max(21_000, Integer.parseInt(range[0]));
    } catch (IOException | RuntimeException e) {
      return 32_768;
    }
  }

  static {
    Reply.class.getName(); // FakeUpstream answers 200 by default
  }
}
