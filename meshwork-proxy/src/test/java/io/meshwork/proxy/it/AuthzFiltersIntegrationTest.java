package io.meshwork.proxy.it;

import static io.meshwork.proxy.it.ProxyHarness.cluster;
import static io.meshwork.proxy.it.ProxyHarness.headers;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.meshwork.testing.FakeUpstream;
import io.meshwork.testing.RecordedRequest;
import java.util.Date;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Envoy-shaped RBAC and jwt_authn filters from a static bootstrap (no control plane): a required
 * provider ({@code provider_name}: a missing token is a 401), a custom token header, RBAC on JWT
 * metadata (list claims), shadow rules, and {@code UNESCAPE_AND_REDIRECT} (decode {@code %2F}).
 */
class AuthzFiltersIntegrationTest {
  @RegisterExtension static FakeUpstream a = FakeUpstream.named("a");
  static ProxyHarness proxy;
  static ECKey key;

  @BeforeAll
  static void start() throws Exception {
    key = new ECKeyGenerator(Curve.P_256).keyID("k").generate();
    var jwks = new JWKSet(key.toPublicJWK()).toString();
    var yaml = ProxyHarness.http("""
        virtual_hosts:
        - name: all
          domains: ["*"]
          routes:
          - match: {prefix: "/"}
            route: {cluster: backend}
        """, cluster("backend", "ROUND_ROBIN", "a")).replace("""
                  http_filters:
        """, """
                  normalize_path: true
                  path_with_escaped_slashes_action: UNESCAPE_AND_REDIRECT
                  http_filters:
                  - name: envoy.filters.http.jwt_authn
                    typed_config:
                      "@type": type.googleapis.com/envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication
                      providers:
                        p:
                          issuer: iss
                          from_headers: [{name: x-jwt}]
                          local_jwks: {inline_string: '%s'}
                      rules:
                      - match: {prefix: /}
                        requires: {provider_name: p}
                  - name: envoy.filters.http.rbac
                    typed_config:
                      "@type": type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBAC
                      rules:
                        action: DENY
                        policies:
                          admin:
                            permissions: [{url_path: {path: {prefix: /admin}}}]
                            principals: [{any: true}]
                          banned:
                            permissions: [{any: true}]
                            principals:
                            - metadata:
                                filter: istio_authn
                                path: [{key: request.auth.claims}, {key: role}]
                                value: {list_match: {one_of: {string_match: {exact: banned}}}}
                      shadow_rules:
                        action: ALLOW
                        policies:
                          shadow:
                            permissions: [{and_rules: {rules: [{url_path: {path: {exact: /shadow}}}, {not_rule: {header: {name: x-no, present_match: true}}}]}}]
                            principals: [{or_ids: {ids: [{direct_remote_ip: {address_prefix: "::1", prefix_len: 128}}, {direct_remote_ip: {address_prefix: 127.0.0.0, prefix_len: 8}}]}}]
        """.formatted(jwks));
    proxy = ProxyHarness.start(yaml, a);
  }

  @AfterAll
  static void stop() {
    proxy.close();
  }

  static String token(String sub, Object role) throws Exception {
    var claims = new JWTClaimsSet.Builder().issuer("iss").subject(sub).claim("role", role)
        .expirationTime(new Date(System.currentTimeMillis() + 60_000)).build();
    var jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("k").build(), claims);
    jwt.sign(new ECDSASigner(key));
    return jwt.serialize();
  }

  @Test
  void requiredProviderCustomHeaderAndRbacOnClaims() throws Exception {
    try (var c = proxy.client()) {
      var missing = c.send("GET", "x", "/public", Map.of(), null);
      assertThat(missing.status()).isEqualTo(401);
      assertThat(missing.body()).isEqualTo("Jwt is missing");
      var bearerIgnored = c.send("GET", "x", "/public", headers("authorization", "Bearer " + token("u", "user")), null);
      assertThat(bearerIgnored.status()).as("only x-jwt is configured").isEqualTo(401);

      a.reset();
      assertThat(c.send("GET", "x", "/public", headers("x-jwt", token("u", "user")), null).status()).isEqualTo(200);
      assertThat(a.requests()).extracting(RecordedRequest::headers).allSatisfy(h -> assertThat(h).doesNotContainKey("x-jwt"));
      assertThat(c.send("GET", "x", "/public", headers("x-jwt", token("u", java.util.List.of("user", "banned"))), null).status())
          .as("a list claim matched by list_match").isEqualTo(403);
      assertThat(c.send("GET", "x", "/public", headers("x-jwt", token("u", "banned")), null).status()).isEqualTo(403);

      // UNESCAPE_AND_REDIRECT: %2F decoded before the other steps, so this is /admin.
      var decoded = c.send("GET", "x", "/public%2F..%2Fadmin", headers("x-jwt", token("u", "user")), null);
      assertThat(decoded.status()).isEqualTo(403);
      assertThat(decoded.body()).isEqualTo("RBAC: access denied");

      long shadowAllowed = proxy.stat("http.ingress.rbac.shadow_allowed");
      long shadowDenied = proxy.stat("http.ingress.rbac.shadow_denied");
      assertThat(c.send("GET", "x", "/shadow", headers("x-jwt", token("u", "user")), null).status()).isEqualTo(200);
      assertThat(c.send("GET", "x", "/shadow", headers("x-jwt", token("u", "user"), "x-no", "1"), null).status()).isEqualTo(200);
      assertThat(proxy.stat("http.ingress.rbac.shadow_allowed")).isEqualTo(shadowAllowed + 1);
      assertThat(proxy.stat("http.ingress.rbac.shadow_denied")).isEqualTo(shadowDenied + 1);
      assertThat(proxy.stat("http.ingress.jwt_authn.denied")).isEqualTo(2);
    }
  }

  /**
   * {@code remote_jwks}: the key set is fetched from a local HTTP server off the event loop, cached
   * (one fetch serves many requests), and fetched again once {@code cache_duration} has passed, so
   * an issuer's key rotation is picked up.
   */
  @Test
  void remoteKeysAreCachedAndRefreshed() throws Exception {
    var k1 = new ECKeyGenerator(Curve.P_256).keyID("k1").generate();
    var k2 = new ECKeyGenerator(Curve.P_256).keyID("k2").generate();
    var served = new java.util.concurrent.atomic.AtomicReference<>(new JWKSet(k1.toPublicJWK()).toString());
    var fetches = new java.util.concurrent.atomic.AtomicInteger();
    var server = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/keys", ex -> {
      fetches.incrementAndGet();
      var body = served.get().getBytes(java.nio.charset.StandardCharsets.UTF_8);
      ex.sendResponseHeaders(200, body.length);
      ex.getResponseBody().write(body);
      ex.close();
    });
    server.start();
    var yaml = ProxyHarness.http("""
        virtual_hosts:
        - name: all
          domains: ["*"]
          routes:
          - match: {prefix: "/"}
            route: {cluster: backend}
        """, cluster("backend", "ROUND_ROBIN", "a")).replace("""
                  http_filters:
        """, """
                  http_filters:
                  - name: envoy.filters.http.jwt_authn
                    typed_config:
                      "@type": type.googleapis.com/envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication
                      providers:
                        p:
                          issuer: iss
                          remote_jwks:
                            http_uri: {uri: "http://127.0.0.1:%d/keys", cluster: jwks, timeout: 2s}
                            cache_duration: 5s
                      rules:
                      - match: {prefix: /}
                        requires: {requires_any: {requirements: [{provider_name: p}, {allow_missing: {}}]}}
        """.formatted(server.getAddress().getPort()));
    try (var p = ProxyHarness.start(yaml, a); var c = p.client()) {
      int afterFirst = 0;
      for (int i = 0; i < 5; i++) {
        assertThat(c.send("GET", "x", "/r" + i, headers("authorization", "Bearer " + signed(k1)), null).status()).isEqualTo(200);
        if (i == 0) {
          afterFirst = fetches.get(); // the prefetch, or the first request's fetch if it came first
        }
      }
      assertThat(afterFirst).isPositive();
      assertThat(fetches.get()).as("the cached set serves the following requests").isEqualTo(afterFirst);
      assertThat(c.send("GET", "x", "/none", java.util.Map.of(), null).status()).as("no token passes").isEqualTo(200);
      served.set(new JWKSet(k2.toPublicJWK()).toString()); // the issuer rotates its key
      var rotated = c.send("GET", "x", "/new", headers("authorization", "Bearer " + signed(k2)), null);
      assertThat(rotated.status()).as("an unknown kid right after a fetch is not refetched (at most every 30 s)").isEqualTo(401);
      assertThat(rotated.body()).isEqualTo("Jwks doesn't have key to match kid or alg from Jwt");
      Thread.sleep(5200); // past cache_duration
      assertThat(c.send("GET", "x", "/new", headers("authorization", "Bearer " + signed(k2)), null).status()).isEqualTo(200);
      assertThat(fetches.get()).isEqualTo(afterFirst + 1);
    } finally {
      server.stop(0);
    }
  }

  static String signed(ECKey k) throws Exception {
    var claims = new JWTClaimsSet.Builder().issuer("iss").subject("s").expirationTime(new Date(System.currentTimeMillis() + 60_000)).build();
    var jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(k.getKeyID()).build(), claims);
    jwt.sign(new ECDSASigner(k));
    return jwt.serialize();
  }
}
