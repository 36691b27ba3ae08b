package io.meshwork.security.jwt;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetSequenceKey;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.OctetSequenceKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import io.meshwork.config.codec.ConfigLoader;
import io.meshwork.config.security.RequestAuthentication;
import io.meshwork.security.TestClock;
import io.meshwork.security.authz.AuthorizationEngine;
import io.meshwork.security.authz.PolicySource;
import io.meshwork.security.authz.RequestAttributes;
import io.meshwork.security.jwt.JwtResult.Status;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class JwtAuthenticatorTest {
  private static final ConfigLoader LOADER = ConfigLoader.create();
  private static final String ISS = "https://issuer.example";
  private static RSAKey rsa;
  private static RSAKey rsaOther;
  private static ECKey ec;
  private static OctetSequenceKey hmac;
  private final TestClock clock = new TestClock(Instant.parse("2026-06-01T12:00:00Z"));

  @BeforeAll
  static void keys() throws Exception {
    rsa = new RSAKeyGenerator(2048).keyID("rsa-1").generate();
    rsaOther = new RSAKeyGenerator(2048).keyID("rsa-1").generate(); // same kid, different key: a forgery
    ec = new ECKeyGenerator(Curve.P_256).keyID("ec-1").generate();
    hmac = new OctetSequenceKeyGenerator(256).keyID("hs-1").generate();
  }

  private static RequestAuthentication ra(String spec) {
    var yaml = "apiVersion: security.istio.io/v1\nkind: RequestAuthentication\nmetadata: {name: jwt, namespace: foo}\nspec:\n" + spec.stripIndent().indent(2);
    var d = LOADER.loadText("ra.yaml", yaml).getFirst();
    assertThat(d.errors()).isEmpty();
    return d.resource().spec(RequestAuthentication.class);
  }

  private static String inline(JWK... keys) {
    return "'" + new JWKSet(List.of(keys)).toPublicJWKSet().toString() + "'";
  }

  private JwtAuthenticator auth(String spec) {
    return JwtAuthenticator.compile(List.of(ra(spec)), JwksCache.withDefaults((u, t) -> {
      throw new java.io.IOException("no network in this test");
    }, clock), clock);
  }

  private JWTClaimsSet.Builder claims() {
    var now = clock.instant();
    return new JWTClaimsSet.Builder().issuer(ISS).subject("alice").audience(List.of("api")).issueTime(Date.from(now))
        .expirationTime(Date.from(now.plus(Duration.ofHours(1))));
  }

  private static String rs256(RSAKey key, JWTClaimsSet c) throws Exception {
    var jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).build(), c);
    jwt.sign(new RSASSASigner(key));
    return jwt.serialize();
  }

  private static JwtRequest bearer(String token) {
    return request(Map.of("authorization", List.of("Bearer " + token)), "/");
  }

  private static JwtRequest request(Map<String, List<String>> headers, String path) {
    return new JwtRequest(new TreeMap<>(headers), path);
  }

  @Test
  void validRs256TokenYieldsPrincipalAndClaimsAndIsStripped() throws Exception {
    var a = auth("jwtRules: [{issuer: \"" + ISS + "\", jwks: " + inline(rsa) + "}]\n");
    var r = a.authenticate(bearer(rs256(rsa, claims().claim("scope", "read write").claim("azp", "cli").build())));
    assertThat(r.status()).isEqualTo(Status.VALID);
    assertThat(r.httpStatus()).isZero();
    assertThat(r.jwt().principal()).isEqualTo("https://issuer.example/alice");
    assertThat(r.jwt().audiences()).containsExactly("api");
    assertThat(r.jwt().presenter()).isEqualTo("cli");
    assertThat(r.jwt().claims().get("scope")).isEqualTo(List.of("read", "write"));
    assertThat(r.removeHeaders()).containsExactly("authorization");
  }

  @Test
  void es256AndHs256Verify() throws Exception {
    var a = auth("jwtRules: [{issuer: \"" + ISS + "\", jwks: " + inline(ec) + "}, {issuer: hs-issuer, jwks: '"
        + new JWKSet(hmac).toString(false) + "'}]\n");
    var es = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("ec-1").build(), claims().build());
    es.sign(new ECDSASigner(ec));
    assertThat(a.authenticate(bearer(es.serialize())).status()).isEqualTo(Status.VALID);
    var hs = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID("hs-1").build(), claims().issuer("hs-issuer").build());
    hs.sign(new MACSigner(hmac));
    var r = a.authenticate(bearer(hs.serialize()));
    assertThat(r.status()).isEqualTo(Status.VALID);
    assertThat(r.jwt().principal()).isEqualTo("hs-issuer/alice");
  }

  @Test
  void noTokenPassesAndGarbageIsRejected() {
    var a = auth("jwtRules: [{issuer: \"" + ISS + "\", jwks: " + inline(rsa) + ", outputPayloadToHeader: x-jwt-payload}]\n");
    var none = a.authenticate(request(Map.of("x-jwt-payload", List.of("spoofed")), "/"));
    assertThat(none.status()).isEqualTo(Status.NO_TOKEN);
    assertThat(none.jwt()).isNull();
    assertThat(none.removeHeaders()).contains("x-jwt-payload"); // a client cannot forge the output header
    var bad = a.authenticate(bearer("not.a.jwt"));
    assertThat(bad.status()).isEqualTo(Status.INVALID);
    assertThat(bad.httpStatus()).isEqualTo(401);
  }

  @Test
  void expiryAndNotBeforeWithSkew() throws Exception {
    var a = auth("jwtRules: [{issuer: \"" + ISS + "\", jwks: " + inline(rsa) + "}]\n");
    var now = clock.instant();
    var expired = a.authenticate(bearer(rs256(rsa, claims().expirationTime(Date.from(now.minusSeconds(120))).build())));
    assertThat(expired.status()).isEqualTo(Status.INVALID);
    assertThat(expired.message()).isEqualTo("Jwt is expired");
    assertThat(a.authenticate(bearer(rs256(rsa, claims().expirationTime(Date.from(now.minusSeconds(30))).build()))).status())
        .isEqualTo(Status.VALID);
    var early = a.authenticate(bearer(rs256(rsa, claims().notBeforeTime(Date.from(now.plusSeconds(600))).build())));
    assertThat(early.message()).isEqualTo("Jwt not yet valid");
    var token = rs256(rsa, claims().build());
    clock.advance(Duration.ofHours(2));
    assertThat(a.authenticate(bearer(token)).message()).isEqualTo("Jwt is expired");
  }

  @Test
  void wrongIssuerAudienceAndSignatureAreRejected() throws Exception {
    var a = auth("jwtRules: [{issuer: \"" + ISS + "\", audiences: [api, web], jwks: " + inline(rsa) + "}]\n");
    assertThat(a.authenticate(bearer(rs256(rsa, claims().issuer("https://evil.example").build()))).message())
        .isEqualTo("Jwt issuer is not configured");
    assertThat(a.authenticate(bearer(rs256(rsa, claims().audience("other").build()))).message()).isEqualTo("Audiences in Jwt are not allowed");
    assertThat(a.authenticate(bearer(rs256(rsa, claims().audience(List.of("x", "web")).build()))).status()).isEqualTo(Status.VALID);
    var forged = a.authenticate(bearer(rs256(rsaOther, claims().build())));
    assertThat(forged.status()).isEqualTo(Status.INVALID);
    assertThat(forged.message()).isEqualTo("Jwt verification fails");
    // a payload swapped under a valid signature
    var good = rs256(rsa, claims().build()).split("\\.");
    var evil = rs256(rsaOther, claims().subject("root").build()).split("\\.");
    assertThat(a.authenticate(bearer(good[0] + "." + evil[1] + "." + good[2])).message()).isEqualTo("Jwt verification fails");
    var unknownKid = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("nope").build(), claims().build());
    unknownKid.sign(new RSASSASigner(rsa));
    assertThat(a.authenticate(bearer(unknownKid.serialize())).message()).isEqualTo("Jwks doesn't have key to match kid or alg from Jwt");
  }

  @Test
  void tokenLocationsAndOutputs() throws Exception {
    var a = auth("""
        jwtRules:
        - issuer: "%s"
          jwks: %s
          fromHeaders: [{name: x-jwt, prefix: "Token "}]
          fromParams: [jwt]
          fromCookies: [session]
          outputPayloadToHeader: x-payload
          outputClaimToHeaders: [{header: x-sub, claim: sub}, {header: x-team, claim: team.name}, {header: x-groups, claim: groups}]
        """.formatted(ISS, inline(rsa)));
    var token = rs256(rsa, claims().claim("team", Map.of("name", "core")).claim("groups", List.of("a", "b")).build());
    var viaHeader = a.authenticate(request(Map.of("x-jwt", List.of("Token " + token)), "/"));
    assertThat(viaHeader.status()).isEqualTo(Status.VALID);
    assertThat(viaHeader.setHeaders()).containsEntry("x-sub", "alice").containsEntry("x-team", "core").containsEntry("x-groups", "a,b")
        .containsEntry("x-payload", token.split("\\.")[1]);
    assertThat(viaHeader.removeHeaders()).contains("x-jwt");
    assertThat(a.authenticate(request(Map.of("x-jwt", List.of(token)), "/")).status()).isEqualTo(Status.NO_TOKEN); // prefix missing
    assertThat(a.authenticate(request(Map.of(), "/p?a=1&jwt=" + token)).status()).isEqualTo(Status.VALID);
    assertThat(a.authenticate(request(Map.of("cookie", List.of("x=1; session=" + token)), "/")).status()).isEqualTo(Status.VALID);
    // the default locations no longer apply once locations are configured
    assertThat(a.authenticate(bearer(token)).status()).isEqualTo(Status.NO_TOKEN);
    // one bad token next to a good one is still a 401
    assertThat(a.authenticate(request(Map.of("x-jwt", List.of("Token " + token)), "/p?jwt=bad.bad.bad")).status()).isEqualTo(Status.INVALID);
  }

  @Test
  void defaultLocationsAndForwardOriginalToken() throws Exception {
    var a = auth("jwtRules: [{issuer: \"" + ISS + "\", jwks: " + inline(rsa) + ", forwardOriginalToken: true}]\n");
    var token = rs256(rsa, claims().build());
    var r = a.authenticate(bearer(token));
    assertThat(r.status()).isEqualTo(Status.VALID);
    assertThat(r.removeHeaders()).doesNotContain("authorization");
    assertThat(a.authenticate(request(Map.of(), "/x?access_token=" + token)).status()).isEqualTo(Status.VALID);
  }

  @Test
  void jwksUriIsFetchedCachedAndRefreshed() throws Exception {
    var served = new AtomicReference<>(new JWKSet(rsa).toPublicJWKSet().toString());
    var hits = new AtomicInteger();
    var server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/jwks", ex -> {
      hits.incrementAndGet();
      var body = served.get().getBytes(StandardCharsets.UTF_8);
      ex.sendResponseHeaders(200, body.length);
      ex.getResponseBody().write(body);
      ex.close();
    });
    server.start();
    try {
      var uri = "http://127.0.0.1:" + server.getAddress().getPort() + "/jwks";
      var cache = new JwksCache(new HttpJwksFetcher(), clock, Duration.ofMinutes(20), Duration.ofSeconds(30));
      var a = JwtAuthenticator.compile(List.of(ra("jwtRules: [{issuer: \"" + ISS + "\", jwksUri: \"" + uri + "\"}]\n")), cache, clock);
      a.prefetch();
      assertThat(hits.get()).isEqualTo(1);
      assertThat(a.authenticate(bearer(rs256(rsa, claims().build()))).status()).isEqualTo(Status.VALID);
      assertThat(a.authenticate(bearer(rs256(rsa, claims().build()))).status()).isEqualTo(Status.VALID);
      assertThat(hits.get()).isEqualTo(1); // cached

      // The issuer rotates to a new key id: an unknown kid triggers one refetch.
      var rotated = new RSAKeyGenerator(2048).keyID("rsa-2").generate();
      served.set(new JWKSet(rotated).toPublicJWKSet().toString());
      clock.advance(Duration.ofSeconds(31));
      assertThat(a.authenticate(bearer(rs256(rotated, claims().build()))).status()).isEqualTo(Status.VALID);
      assertThat(hits.get()).isEqualTo(2);
      // Another unknown kid right away does not refetch (rate limited).
      var unknown = new RSAKeyGenerator(2048).keyID("rsa-3").generate();
      assertThat(a.authenticate(bearer(rs256(unknown, claims().build()))).status()).isEqualTo(Status.INVALID);
      assertThat(hits.get()).isEqualTo(2);
      // The old key is gone after the refresh.
      assertThat(a.authenticate(bearer(rs256(rsa, claims().build()))).status()).isEqualTo(Status.INVALID);

      // After the refresh interval the set is refetched even for a known kid; an outage keeps the last good keys.
      clock.advance(Duration.ofMinutes(21));
      served.set(new JWKSet(List.<JWK>of(rotated, rsa)).toPublicJWKSet().toString());
      assertThat(a.authenticate(bearer(rs256(rotated, claims().build()))).status()).isEqualTo(Status.VALID);
      int before = hits.get();
      assertThat(before).isEqualTo(3);
      assertThat(a.authenticate(bearer(rs256(rsa, claims().build()))).status()).isEqualTo(Status.VALID);
      server.stop(0);
      clock.advance(Duration.ofMinutes(21));
      assertThat(a.authenticate(bearer(rs256(rsa, claims().build()))).status()).isEqualTo(Status.VALID);
    } finally {
      server.stop(0);
    }
  }

  @Test
  void unreachableJwksUriWithoutCacheIsA401() throws Exception {
    var a = JwtAuthenticator.compile(List.of(ra("jwtRules: [{issuer: \"" + ISS + "\", jwksUri: \"http://127.0.0.1:1/jwks\"}]\n")),
        JwksCache.withDefaults(new HttpJwksFetcher(), clock), clock);
    var r = a.authenticate(bearer(rs256(rsa, claims().build())));
    assertThat(r.status()).isEqualTo(Status.INVALID);
    assertThat(r.message()).isEqualTo("Jwks remote fetch is failed");
  }

  @Test
  void requestPrincipalFeedsAuthorization() throws Exception {
    var a = auth("jwtRules: [{issuer: \"" + ISS + "\", jwks: " + inline(rsa) + "}]\n");
    var policyYaml = "apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: require-jwt, namespace: foo}\n"
        + "spec:\n  rules:\n  - from: [{source: {requestPrincipals: [\"" + ISS + "/*\"]}}]\n    when: [{key: \"request.auth.claims[scope]\", values: [write]}]\n";
    var engine = AuthorizationEngine.compile(List.of(PolicySource.of(LOADER.loadText("ap.yaml", policyYaml).getFirst().resource())));
    var ok = a.authenticate(bearer(rs256(rsa, claims().claim("scope", "read write").build())));
    assertThat(engine.evaluate(RequestAttributes.http().method("GET").path("/").jwt(ok.jwt()).build()).allowed()).isTrue();
    var readOnly = a.authenticate(bearer(rs256(rsa, claims().claim("scope", "read").build())));
    assertThat(engine.evaluate(RequestAttributes.http().method("GET").path("/").jwt(readOnly.jwt()).build()).allowed()).isFalse();
    var anonymous = a.authenticate(request(Map.of(), "/"));
    assertThat(engine.evaluate(RequestAttributes.http().method("GET").path("/").jwt(anonymous.jwt()).build()).allowed()).isFalse();
  }
}
