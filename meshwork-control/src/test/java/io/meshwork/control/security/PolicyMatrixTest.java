package io.meshwork.control.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import io.meshwork.testing.FakeUpstream;
import io.meshwork.testing.RecordedRequest;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The policy matrix, end to end: Istio AuthorizationPolicy and RequestAuthentication YAML, the
 * control plane's translation to Envoy RBAC / jwt_authn, a real proxy on loopback, real HTTP and
 * TCP clients. Every field and action of the issue is exercised; the peer-certificate fields
 * (principals, namespaces, ...) need mTLS and are covered with an attached PeerIdentity in
 * {@link PeerIdentityRbacTest}.
 */
class PolicyMatrixTest {
  static final String ISS = "https://issuer.example";
  static final FakeUpstream APP = FakeUpstream.named("ratings");
  static HttpServer jwks;
  static final AtomicInteger JWKS_FETCHES = new AtomicInteger();
  static RSAKey rsa;
  static ECKey ec;
  static RSAKey stranger;

  @BeforeAll
  static void start() throws Exception {
    APP.start();
    rsa = new RSAKeyGenerator(2048).keyID("rsa-1").generate();
    ec = new ECKeyGenerator(Curve.P_256).keyID("ec-1").generate();
    stranger = new RSAKeyGenerator(2048).keyID("rsa-1").generate(); // same kid, other key: bad signature
    var body = new JWKSet(List.of(rsa.toPublicJWK(), ec.toPublicJWK())).toString().getBytes(StandardCharsets.UTF_8);
    jwks = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    jwks.createContext("/jwks", ex -> {
      JWKS_FETCHES.incrementAndGet();
      ex.getResponseHeaders().set("content-type", "application/json");
      ex.sendResponseHeaders(200, body.length);
      ex.getResponseBody().write(body);
      ex.close();
    });
    jwks.start();
  }

  @AfterAll
  static void stop() {
    APP.close();
    jwks.stop(0);
  }

  static String policies(int port, int tcpPort) {
    return policiesText(port, tcpPort, jwks.getAddress().getPort());
  }

  static String policiesText(int port, int tcpPort, int jwksPort) {
    return """
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata: {name: deny-admin, namespace: default}
        spec:
          selector: {matchLabels: {app: ratings}}
          action: DENY
          rules:
          - to: [{operation: {paths: ["/admin", "/admin/*"]}}]
          - when: [{key: "request.headers[x-block]", values: ["yes"]}]
        ---
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata: {name: mesh-deny-trace, namespace: istio-system}
        spec:
          action: DENY
          rules:
          - to: [{operation: {methods: ["TRACE"]}}]
        ---
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata: {name: audit, namespace: default}
        spec:
          action: AUDIT
          rules:
          - to: [{operation: {paths: ["/public/audited"]}}]
        ---
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata: {name: custom, namespace: default}
        spec:
          action: CUSTOM
          provider: {name: ext}
          rules:
          - to: [{operation: {paths: ["/public/*"]}}]
        ---
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata: {name: elsewhere, namespace: other}
        spec:
          action: DENY
          rules: [{}]
        ---
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata: {name: other-workload, namespace: default}
        spec:
          selector: {matchLabels: {app: reviews}}
          action: DENY
          rules: [{}]
        ---
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata: {name: allow, namespace: default}
        spec:
          selector: {matchLabels: {app: ratings}}
          rules:
          - to: [{operation: {methods: ["GET"], paths: ["/public/*", "/admin*", "/exact", "/ADMIN"]}}]
          - to: [{operation: {paths: ["*.json"]}}]
          - to: [{operation: {hosts: ["api.example.com"], paths: ["/host"]}}]
          - to: [{operation: {notHosts: ["api.example.com"], paths: ["/not-host"]}}]
          - to: [{operation: {notMethods: ["GET"], paths: ["/write"]}}]
          - to: [{operation: {methods: ["PUT"], notPaths: ["/secret*"]}}]
          - from: [{source: {ipBlocks: ["127.0.0.0/8"]}}]
            to: [{operation: {paths: ["/ip"]}}]
          - from: [{source: {notIpBlocks: ["127.0.0.0/8"]}}]
            to: [{operation: {paths: ["/not-ip"]}}]
          - from: [{source: {remoteIpBlocks: ["203.0.113.0/24"]}}]
            to: [{operation: {paths: ["/remote"]}}]
          - from: [{source: {notRemoteIpBlocks: ["203.0.113.0/24"]}}]
            to: [{operation: {paths: ["/not-remote"]}}]
          - to: [{operation: {paths: ["/hdr"]}}]
            when: [{key: "request.headers[x-token]", values: ["abc*"]}, {key: "request.headers[x-bad]", notValues: ["*"]}]
          - to: [{operation: {ports: ["%1$d"], paths: ["/port"]}}]
          - to: [{operation: {notPorts: ["%1$d"], paths: ["/not-port"]}}]
          - to: [{operation: {paths: ["/dport"]}}]
            when: [{key: destination.port, values: ["%1$d"]}, {key: destination.ip, values: ["127.0.0.2"]}]
          - to: [{operation: {paths: ["/srcip"]}}]
            when: [{key: source.ip, values: ["127.0.0.1"]}, {key: remote.ip, notValues: ["198.51.100.0/24"]}]
          - to: [{operation: {paths: ["/sni"]}}]
            when: [{key: connection.sni, values: ["*"]}]
          - from: [{source: {principals: ["cluster.local/ns/default/sa/sleep"]}}]
            to: [{operation: {paths: ["/mtls"]}}]
          - from: [{source: {namespaces: ["default"]}}]
            to: [{operation: {paths: ["/ns"]}}]
          - from: [{source: {notPrincipals: ["*"]}}]
            to: [{operation: {paths: ["/plaintext-only"]}}]
          - from: [{source: {requestPrincipals: ["https://issuer.example/*"]}}]
            to: [{operation: {paths: ["/jwt"]}}]
          - from: [{source: {notRequestPrincipals: ["*"]}}]
            to: [{operation: {paths: ["/anonymous-only"]}}]
          - to: [{operation: {paths: ["/claims"]}}]
            when: [{key: "request.auth.claims[groups]", values: ["admins"]}, {key: "request.auth.claims[org][team]", values: ["blue"]}]
          - to: [{operation: {paths: ["/aud"]}}]
            when: [{key: request.auth.audiences, values: ["ratings"]}, {key: request.auth.presenter, values: ["cli"]},
                   {key: request.auth.principal, values: ["https://issuer.example/alice"]}]
          - to: [{operation: {ports: ["%2$d"]}}]
        ---
        apiVersion: security.istio.io/v1
        kind: RequestAuthentication
        metadata: {name: jwt, namespace: default}
        spec:
          selector: {matchLabels: {app: ratings}}
          jwtRules:
          - issuer: https://issuer.example
            audiences: [ratings]
            jwksUri: http://127.0.0.1:%3$d/jwks
            outputClaimToHeaders: [{header: x-jwt-sub, claim: sub}]
        """.formatted(port, tcpPort, jwksPort);
  }

  static int freeTcpPort() throws Exception {
    try (var s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
      return s.getLocalPort();
    }
  }

  @Test
  void httpMatrix() throws Exception {
    int port = APP.port();
    try (var sidecar = new SidecarUnderTest(policies(port, freeTcpPort()), Map.of("http", port))) {
      var h = SidecarUnderTest.PROXY_IP;
      // ALLOW rules, field by field (each path is allowed by exactly one rule).
      expect(200, h, port, "GET", "/public/a");
      expect(403, h, port, "POST", "/public/a");            // methods
      expect(200, h, port, "GET", "/exact");
      expect(403, h, port, "GET", "/exact/more");           // exact path
      expect(200, h, port, "DELETE", "/data/x.json");        // suffix path
      expect(200, h, port, "GET", "/host", "Host: API.example.com:8080"); // hosts: case-insensitive, any port
      expect(403, h, port, "GET", "/host", "Host: www.example.com");
      expect(200, h, port, "GET", "/not-host", "Host: www.example.com");
      expect(403, h, port, "GET", "/not-host", "Host: api.example.com");
      expect(200, h, port, "POST", "/write");               // notMethods
      expect(403, h, port, "GET", "/write");
      expect(200, h, port, "PUT", "/anything");             // notPaths
      expect(403, h, port, "PUT", "/secret/x");
      expect(200, h, port, "GET", "/ip");                   // ipBlocks (the client is 127.0.0.1)
      expect(403, h, port, "GET", "/not-ip");
      expect(200, h, port, "GET", "/remote", "X-Forwarded-For: 10.1.1.1, 203.0.113.7"); // remoteIpBlocks
      expect(403, h, port, "GET", "/remote");
      expect(403, h, port, "GET", "/remote", "X-Forwarded-For: 203.0.113.7, 10.1.1.1"); // only the right-most is trusted
      expect(200, h, port, "GET", "/not-remote");
      expect(403, h, port, "GET", "/not-remote", "X-Forwarded-For: 203.0.113.9");
      expect(200, h, port, "GET", "/hdr", "X-Token: abcdef");  // request.headers values / notValues
      expect(403, h, port, "GET", "/hdr", "X-Token: zzz");
      expect(403, h, port, "GET", "/hdr", "X-Token: abc", "X-Bad: 1");
      expect(200, h, port, "GET", "/port");                 // ports
      expect(403, h, port, "GET", "/not-port");
      expect(200, h, port, "GET", "/dport");                // destination.port + destination.ip
      expect(200, h, port, "GET", "/srcip");                // source.ip + remote.ip notValues
      expect(403, h, port, "GET", "/srcip", "X-Forwarded-For: 198.51.100.4");
      expect(403, h, port, "GET", "/sni");                  // connection.sni: plaintext has none
      expect(403, h, port, "GET", "/mtls");                 // principals: plaintext has no identity
      expect(403, h, port, "GET", "/ns");
      expect(200, h, port, "GET", "/plaintext-only");       // notPrincipals ["*"]
      expect(403, h, port, "GET", "/nothing-allows-this");  // default deny once an ALLOW policy applies
      // The DENY policy wins over ALLOW; paths are normalized before RBAC and routing.
      for (var bypass : List.of("/admin", "/public/../admin", "/%61dmin", "/%61%64%6D%69%6E", "//admin", "/public/%2e%2e/admin",
          "/public/%2E%2E/admin", "/./admin", "/admin/.", "/public/./../admin", "/admin/x/..", "///admin//", "/public/..%2fadmin/../../admin")) {
        var r = RawHttp.send(h, port, "GET", bypass);
        assertThat(r.status()).as(bypass).isEqualTo(403);
        assertThat(r.body()).as(bypass).isEqualTo("RBAC: access denied");
      }
      expect(403, h, port, "GET", "/admin/users");
      expect(403, h, port, "GET", "/admin?x=1");
      expect(200, h, port, "GET", "/ADMIN");                 // case-sensitive paths: not /admin
      expect(200, h, port, "GET", "/adminx");                // "/admin/*" is not a prefix of /adminx; ALLOW "/admin*" is
      APP.reset();
      expect(200, h, port, "GET", "/public/x/../a%2Db//c?q=%2e%2e");
      assertThat(APP.requests()).extracting(RecordedRequest::uri).as("the app receives the path the policy judged")
          .containsExactly("/public/a-b/c?q=%2e%2e");
      expect(403, h, port, "GET", "/public/a", "X-Block: yes"); // DENY when request.headers
      expect(403, h, port, "TRACE", "/public/a");           // mesh-wide (root namespace) DENY
      expect(400, h, port, "GET", "/bad%zz");               // malformed escapes never reach RBAC or the app
      // AUDIT logs and does not decide; CUSTOM is skipped (not enforced); other namespace / workload do not apply.
      long logged = sidecar.counter("http.inbound_0.0.0.0_" + port + ".rbac.logged");
      expect(200, h, port, "GET", "/public/audited");
      assertThat(sidecar.counter("http.inbound_0.0.0.0_" + port + ".rbac.logged")).isEqualTo(logged + 1);
      assertThat(sidecar.counter("http.inbound_0.0.0.0_" + port + ".rbac.denied")).isPositive();
      assertThat(sidecar.counter("http.inbound_0.0.0.0_" + port + ".rbac.allowed")).isPositive();

      // JWT: jwksUri fetched from the local server; RS256 and ES256; Istio's 401 / pass-through semantics.
      var alice = token(rsa, JWSAlgorithm.RS256, ISS, "alice", "ratings", 300, Map.of("azp", "cli",
          "groups", List.of("users", "admins"), "org", Map.of("team", "blue")));
      APP.reset();
      expect(200, h, port, "GET", "/jwt", "Authorization: Bearer " + alice);
      var forwarded = APP.requests().getLast();
      assertThat(forwarded.headers()).doesNotContainKey("authorization"); // forwardOriginalToken: false
      assertThat(forwarded.headers().get("x-jwt-sub")).containsExactly("alice"); // outputClaimToHeaders
      assertThat(JWKS_FETCHES.get()).isPositive();
      expect(200, h, port, "GET", "/jwt?access_token=" + alice);   // the default query parameter
      expect(200, h, port, "GET", "/jwt", "Authorization: Bearer " + token(ec, JWSAlgorithm.ES256, ISS, "bob", "ratings", 300, Map.of()));
      expect(200, h, port, "GET", "/claims", "Authorization: Bearer " + alice);
      expect(200, h, port, "GET", "/aud", "Authorization: Bearer " + alice);
      var bob = token(rsa, JWSAlgorithm.RS256, ISS, "bob", "ratings", 300, Map.of("groups", List.of("users")));
      expect(403, h, port, "GET", "/claims", "Authorization: Bearer " + bob);
      expect(403, h, port, "GET", "/aud", "Authorization: Bearer " + bob);
      expect(403, h, port, "GET", "/jwt");                              // requestPrincipals: a token is required
      expect(200, h, port, "GET", "/anonymous-only");                   // notRequestPrincipals ["*"]
      expect(403, h, port, "GET", "/anonymous-only", "Authorization: Bearer " + alice);
      expect(200, h, port, "GET", "/public/a");                         // no token: passes
      expect(401, h, port, "GET", "/public/a", "Authorization: Bearer " + token(rsa, JWSAlgorithm.RS256, ISS, "alice", "ratings", -600, Map.of()));
      expect(401, h, port, "GET", "/public/a", "Authorization: Bearer " + token(rsa, JWSAlgorithm.RS256, "https://evil.example", "alice", "ratings", 300, Map.of()));
      expect(401, h, port, "GET", "/public/a", "Authorization: Bearer " + token(rsa, JWSAlgorithm.RS256, ISS, "alice", "billing", 300, Map.of()));
      expect(401, h, port, "GET", "/public/a", "Authorization: Bearer " + token(stranger, JWSAlgorithm.RS256, ISS, "alice", "ratings", 300, Map.of()));
      expect(401, h, port, "GET", "/public/a", "Authorization: Bearer not.a.jwt");
      assertThat(sidecar.counter("http.inbound_0.0.0.0_" + port + ".jwt_authn.denied")).isEqualTo(5);
    }
  }

  /**
   * With only a DENY policy every other path is allowed, so a spelling of {@code /admin} that
   * escaped normalization would reach the app: each bypass attempt must be refused and the app
   * must never see an admin request.
   */
  @Test
  void pathNormalizationBypassAttemptsUnderDefaultAllow() throws Exception {
    int port = APP.port();
    var deny = """
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata: {name: deny-admin, namespace: default}
        spec:
          action: DENY
          rules:
          - to: [{operation: {paths: ["/admin", "/admin/*"]}}]
        """;
    try (var sidecar = new SidecarUnderTest(deny, Map.of("http", port))) {
      var h = SidecarUnderTest.PROXY_IP;
      APP.reset();
      for (var bypass : List.of("/admin", "/public/../admin", "/%61dmin", "/%61%64%6D%69%6E", "/%41dmin/../admin", "//admin",
          "/public/%2e%2e/admin", "/public/%2E%2E/admin", "/public/.%2e/admin", "/./admin", "/admin/.", "/admin/x/..",
          "///admin//", "/public/..%2fadmin/../../admin", "/../admin", "/admin/config", "/admin//config", "/admin?x=../public",
          "/admin#frag", "/admin%3Fx")) {
        var r = RawHttp.send(h, port, "GET", bypass);
        if (bypass.equals("/admin%3Fx")) {
          assertThat(r.status()).as("%3F is a literal '?' in the path: /admin?x is neither /admin nor under /admin/").isEqualTo(200);
          continue;
        }
        assertThat(r.status()).as(bypass).isEqualTo(403);
        assertThat(r.body()).as(bypass).isEqualTo("RBAC: access denied");
      }
      assertThat(APP.requests()).extracting(RecordedRequest::uri).containsExactly("/admin%3Fx");
      // %2F stays encoded (Istio's default keeps escaped slashes): not a separator for the policy or the app.
      expect(200, h, port, "GET", "/public%2F..%2Fadmin");
      assertThat(APP.requests().getLast().uri()).isEqualTo("/public%2F..%2Fadmin");
      expect(200, h, port, "GET", "/ADMIN"); // paths are case-sensitive
      expect(200, h, port, "GET", "/administrator");
      assertThat(sidecar.counter("http.inbound_0.0.0.0_" + port + ".rbac.denied")).isEqualTo(19);
    }
  }

  @Test
  void tcpMatrix() throws Exception {
    try (var echo = new EchoServer()) {
      int tcp = echo.port();
      // ALLOW: on the TCP chain only the L4 rule (ports) survives; the rules with HTTP fields are dropped.
      // AUDIT with an HTTP field: the field is ignored on TCP, so the connection is logged.
      var mixed = """
          apiVersion: security.istio.io/v1
          kind: AuthorizationPolicy
          metadata: {name: allow-mixed, namespace: default}
          spec:
            rules:
            - to: [{operation: {paths: ["/x"]}}]
            - to: [{operation: {methods: ["GET"]}}]
            - to: [{operation: {ports: ["%d"]}}]
          ---
          apiVersion: security.istio.io/v1
          kind: AuthorizationPolicy
          metadata: {name: audit, namespace: default}
          spec:
            action: AUDIT
            rules:
            - to: [{operation: {paths: ["/audited"]}}]
          """.formatted(tcp);
      try (var sidecar = new SidecarUnderTest(mixed, Map.of("tcp", tcp))) {
        assertThat(roundTrip(tcp)).isEqualTo("hello");
        assertThat(sidecar.counter("tcp.rbac.allowed")).isEqualTo(1);
        assertThat(sidecar.counter("tcp.rbac.logged")).isEqualTo(1);
      }
      // DENY with an HTTP-only condition: on TCP the field is ignored and the rule denies every connection (Istio).
      var denyHeader = """
          apiVersion: security.istio.io/v1
          kind: AuthorizationPolicy
          metadata: {name: deny-header, namespace: default}
          spec:
            action: DENY
            rules:
            - when: [{key: "request.headers[x-block]", values: ["yes"]}]
          """;
      try (var sidecar = new SidecarUnderTest(denyHeader, Map.of("tcp", tcp))) {
        int before = echo.bytes.get();
        assertRefused(tcp);
        assertThat(echo.bytes.get()).as("no byte reaches the upstream").isEqualTo(before);
        assertThat(sidecar.counter("tcp.rbac.denied")).isEqualTo(1);
      }
      // ALLOW whose only rule needs HTTP: dropped, so the TCP port is denied.
      var onlyHttp = """
          apiVersion: security.istio.io/v1
          kind: AuthorizationPolicy
          metadata: {name: allow-http, namespace: default}
          spec:
            rules:
            - to: [{operation: {paths: ["/x"], ports: ["%d"]}}]
          """.formatted(tcp);
      try (var sidecar = new SidecarUnderTest(onlyHttp, Map.of("tcp", tcp))) {
        int before = echo.bytes.get();
        assertRefused(tcp);
        assertThat(echo.bytes.get()).isEqualTo(before);
      }
      // L4 fields: ipBlocks, destination.port, destination.ip allow; notIpBlocks / principals DENY rules do not match.
      var l4 = """
          apiVersion: security.istio.io/v1
          kind: AuthorizationPolicy
          metadata: {name: allow-l4, namespace: default}
          spec:
            rules:
            - from: [{source: {ipBlocks: ["127.0.0.1/32"]}}]
              when: [{key: destination.port, values: ["%1$d"]}, {key: destination.ip, values: ["127.0.0.0/8"]}]
          ---
          apiVersion: security.istio.io/v1
          kind: AuthorizationPolicy
          metadata: {name: deny-l4, namespace: default}
          spec:
            action: DENY
            rules:
            - from: [{source: {notIpBlocks: ["127.0.0.0/8"]}}]
            - from: [{source: {principals: ["cluster.local/ns/default/sa/evil"]}}]
          """.formatted(tcp);
      try (var sidecar = new SidecarUnderTest(l4, Map.of("tcp", tcp))) {
        assertThat(roundTrip(tcp)).isEqualTo("hello");
      }
      try (var sidecar = new SidecarUnderTest(l4.replace("notIpBlocks", "ipBlocks"), Map.of("tcp", tcp))) {
        assertRefused(tcp);
      }
      try (var sidecar = new SidecarUnderTest(l4.replace("127.0.0.1/32", "10.0.0.0/8"), Map.of("tcp", tcp))) {
        assertRefused(tcp); // no ALLOW rule matches
      }
    }
  }

  private static void expect(int status, String host, int port, String method, String target, String... headers) throws Exception {
    var r = RawHttp.send(host, port, method, target, headers);
    assertThat(r.status()).as(method + " " + target + " " + String.join(" | ", headers) + " -> " + r.body()).isEqualTo(status);
  }

  static String token(Object key, JWSAlgorithm alg, String iss, String sub, String aud, long expiresInSeconds, Map<String, Object> extra)
      throws Exception {
    var claims = new JWTClaimsSet.Builder().issuer(iss).subject(sub).audience(aud)
        .expirationTime(new Date(System.currentTimeMillis() + expiresInSeconds * 1000));
    extra.forEach(claims::claim);
    JWSSigner signer;
    String kid;
    if (key instanceof RSAKey r) {
      signer = new RSASSASigner(r);
      kid = r.getKeyID();
    } else {
      var e = (ECKey) key;
      signer = new ECDSASigner(e);
      kid = e.getKeyID();
    }
    var jwt = new SignedJWT(new JWSHeader.Builder(alg).keyID(kid).build(), claims.build());
    jwt.sign(signer);
    return jwt.serialize();
  }

  private static String roundTrip(int port) throws Exception {
    try (var s = new Socket(SidecarUnderTest.PROXY_IP, port)) {
      s.setSoTimeout(5000);
      s.getOutputStream().write("hello".getBytes(StandardCharsets.UTF_8));
      return new String(s.getInputStream().readNBytes(5), StandardCharsets.UTF_8);
    }
  }

  /** The proxy accepts, then closes without relaying: the client reads end of stream. */
  private static void assertRefused(int port) throws Exception {
    try (var s = new Socket(SidecarUnderTest.PROXY_IP, port)) {
      s.setSoTimeout(5000);
      s.getOutputStream().write("hello".getBytes(StandardCharsets.UTF_8));
      InputStream in = s.getInputStream();
      int b;
      try {
        b = in.read();
      } catch (java.net.SocketException reset) {
        b = -1;
      } catch (SocketTimeoutException t) {
        throw new AssertionError("the connection was neither closed nor relayed", t);
      }
      assertThat(b).as("closed without data").isEqualTo(-1);
    }
  }

  /** A TCP echo server on 127.0.0.1 that counts the bytes it received. */
  static final class EchoServer implements AutoCloseable {
    final java.net.ServerSocket server;
    final AtomicInteger bytes = new AtomicInteger();

    EchoServer() throws Exception {
      server = new java.net.ServerSocket(0, 50, java.net.InetAddress.getByName("127.0.0.1"));
      Thread.ofVirtual().start(() -> {
        while (!server.isClosed()) {
          try {
            var c = server.accept();
            Thread.ofVirtual().start(() -> {
              try (c) {
                var buf = new byte[1024];
                int n;
                while ((n = c.getInputStream().read(buf)) > 0) {
                  bytes.addAndGet(n);
                  c.getOutputStream().write(buf, 0, n);
                }
              } catch (Exception ignored) {
                // client went away
              }
            });
          } catch (Exception e) {
            return;
          }
        }
      });
    }

    int port() {
      return server.getLocalPort();
    }

    @Override
    public void close() throws Exception {
      server.close();
    }
  }
}
