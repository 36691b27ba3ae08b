package io.meshwork.security.jwt;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.crypto.factories.DefaultJWSVerifierFactory;
import com.nimbusds.jose.jwk.AsymmetricJWK;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKMatcher;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetSequenceKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.meshwork.config.security.JWTRule;
import io.meshwork.config.security.RequestAuthentication;
import io.meshwork.security.authz.RequestAttributes.JwtAttributes;
import java.io.IOException;
import java.net.URI;
import java.security.Key;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The RequestAuthentication policies that apply to one workload, compiled. For each request it
 * looks for tokens where the rules say (by default {@code Authorization: Bearer} and the
 * {@code access_token} query parameter), picks the rule by the token's issuer, and checks the
 * signature (RS/PS/ES/HS algorithms through nimbus-jose-jwt), {@code exp}/{@code nbf} with a
 * 60 s skew, and the audiences. Every token present must verify: one bad token is a 401 even if
 * another is good, so a client cannot smuggle a forged token next to a real one.
 */
public final class JwtAuthenticator {
  /** Claims Istio always treats as space-delimited lists (OAuth scopes). */
  static final Set<String> DEFAULT_SPACE_DELIMITED = Set.of("scope", "permission");
  private static final Duration SKEW = Duration.ofSeconds(60);
  private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

  private final List<CompiledRule> rules;
  private final JwksCache cache;
  private final Clock clock;
  private final List<String> outputHeaders;
  private final List<String> warnings;

  private enum Where { HEADER, PARAM, COOKIE }

  private record Location(Where where, String name, String prefix) {}

  private record CompiledRule(JWTRule rule, JWKSet inlineKeys, String jwksProblem, URI jwksUri, Duration timeout,
      List<Location> locations, Set<String> spaceDelimited) {}

  private record Found(String token, Location location, List<CompiledRule> rules) {}

  private record Verified(CompiledRule rule, SignedJWT jwt, JWTClaimsSet claims) {}

  private JwtAuthenticator(List<CompiledRule> rules, JwksCache cache, Clock clock, List<String> outputHeaders, List<String> warnings) {
    this.rules = rules;
    this.cache = cache;
    this.clock = clock;
    this.outputHeaders = outputHeaders;
    this.warnings = warnings;
  }

  /** Compiles the jwtRules of {@code policies} (already scoped to the workload). */
  public static JwtAuthenticator compile(List<RequestAuthentication> policies, JwksCache cache, Clock clock) {
    var rules = new ArrayList<CompiledRule>();
    var outputs = new LinkedHashSet<String>();
    var warnings = new ArrayList<String>();
    for (var p : policies) {
      for (var r : p.jwtRules()) {
        rules.add(compileRule(r, warnings));
        if (r.outputPayloadToHeader() != null && !r.outputPayloadToHeader().isEmpty()) {
          outputs.add(r.outputPayloadToHeader().toLowerCase(java.util.Locale.ROOT));
        }
        for (var c : r.outputClaimToHeaders()) {
          outputs.add(c.header().toLowerCase(java.util.Locale.ROOT));
        }
      }
    }
    return new JwtAuthenticator(List.copyOf(rules), cache, clock, List.copyOf(outputs), List.copyOf(warnings));
  }

  private static CompiledRule compileRule(JWTRule r, List<String> warnings) {
    JWKSet inline = null;
    String problem = null;
    URI uri = null;
    if (r.jwks() != null && !r.jwks().isEmpty()) {
      try {
        inline = r.jwks().contains("\"keys\"") ? JWKSet.parse(r.jwks()) : new JWKSet(JWK.parse(r.jwks()));
      } catch (ParseException e) {
        problem = "Jwks is invalid";
        warnings.add("issuer " + r.issuer() + ": inline jwks cannot be parsed (" + e.getMessage() + "); its tokens are rejected");
      }
    } else if (r.jwksUri() != null && !r.jwksUri().isEmpty()) {
      uri = URI.create(r.jwksUri());
    } else {
      problem = "Jwks is not configured";
      warnings.add("issuer " + r.issuer() + ": neither jwks nor jwksUri is set; its tokens are rejected (OpenID discovery is not supported)");
    }
    var locations = new ArrayList<Location>();
    for (var h : r.fromHeaders()) {
      locations.add(new Location(Where.HEADER, h.name(), h.prefix() == null ? "" : h.prefix()));
    }
    for (var q : r.fromParams()) {
      locations.add(new Location(Where.PARAM, q, ""));
    }
    for (var c : r.fromCookies()) {
      locations.add(new Location(Where.COOKIE, c, ""));
    }
    if (locations.isEmpty()) {
      locations.add(new Location(Where.HEADER, "authorization", "Bearer "));
      locations.add(new Location(Where.PARAM, "access_token", ""));
    }
    var spaced = new java.util.HashSet<>(DEFAULT_SPACE_DELIMITED);
    spaced.addAll(r.spaceDelimitedClaims());
    var timeout = r.timeout() == null ? DEFAULT_TIMEOUT : r.timeout().toJava();
    return new CompiledRule(r, inline, problem, uri, timeout, List.copyOf(locations), Set.copyOf(spaced));
  }

  /** Configuration problems found while compiling (unparseable inline keys, rules without keys). */
  public List<String> warnings() {
    return warnings;
  }

  /** Whether any rule applies (the proxy can skip the filter otherwise). */
  public boolean isEmpty() {
    return rules.isEmpty();
  }

  /** Fetches every jwksUri now, so the first request does not wait; failures are left for request time. */
  public void prefetch() {
    for (var r : rules) {
      if (r.jwksUri() != null) {
        try {
          cache.get(r.jwksUri(), r.timeout(), false);
        } catch (IOException e) {
          // reported when a token needs the keys
        }
      }
    }
  }

  /** Authenticates one request. */
  public JwtResult authenticate(JwtRequest req) {
    var remove = new ArrayList<>(outputHeaders);
    var found = extract(req);
    if (found.isEmpty()) {
      return new JwtResult(JwtResult.Status.NO_TOKEN, null, Map.of(), remove, null);
    }
    Verified first = null;
    for (var f : found) {
      var outcome = verify(f);
      if (outcome instanceof String message) {
        return new JwtResult(JwtResult.Status.INVALID, null, Map.of(), remove, message);
      }
      if (first == null) {
        first = (Verified) outcome;
      }
    }
    var v = first;
    var rule = v.rule().rule();
    var set = new LinkedHashMap<String, String>();
    if (rule.outputPayloadToHeader() != null && !rule.outputPayloadToHeader().isEmpty()) {
      set.put(rule.outputPayloadToHeader().toLowerCase(java.util.Locale.ROOT), v.jwt().getParsedParts()[1].toString());
    }
    var claims = claimMap(v.claims(), v.rule().spaceDelimited());
    for (var c : rule.outputClaimToHeaders()) {
      var value = claimText(v.claims().toJSONObject(), c.claim());
      if (value != null) {
        set.put(c.header().toLowerCase(java.util.Locale.ROOT), value);
      }
    }
    if (!Boolean.TRUE.equals(rule.forwardOriginalToken())) {
      for (var f : found) {
        if (f.location().where() == Where.HEADER) {
          remove.add(f.location().name().toLowerCase(java.util.Locale.ROOT));
        }
      }
    }
    var iss = v.claims().getIssuer();
    var sub = v.claims().getSubject();
    var aud = v.claims().getAudience() == null ? List.<String>of() : v.claims().getAudience();
    var azp = claims.get("azp") instanceof String s ? s : null;
    var attrs = new JwtAttributes(iss + "/" + (sub == null ? "" : sub), aud, azp, claims);
    return new JwtResult(JwtResult.Status.VALID, attrs, set, remove, null);
  }

  private List<Found> extract(JwtRequest req) {
    var byToken = new LinkedHashMap<String, Found>();
    for (var r : rules) {
      for (var loc : r.locations()) {
        for (var token : tokensAt(req, loc)) {
          var f = byToken.computeIfAbsent(token, t -> new Found(t, loc, new ArrayList<>()));
          if (!f.rules().contains(r)) {
            f.rules().add(r);
          }
        }
      }
    }
    return List.copyOf(byToken.values());
  }

  private static List<String> tokensAt(JwtRequest req, Location loc) {
    return switch (loc.where()) {
      case HEADER -> {
        var v = req.header(loc.name());
        if (v == null) {
          yield List.of();
        }
        if (!loc.prefix().isEmpty()) {
          if (!v.regionMatches(true, 0, loc.prefix(), 0, loc.prefix().length())) {
            yield List.of();
          }
          v = v.substring(loc.prefix().length());
        }
        v = v.strip();
        yield v.isEmpty() ? List.of() : List.of(v);
      }
      case PARAM -> req.param(loc.name()).stream().filter(s -> !s.isEmpty()).toList();
      case COOKIE -> {
        var c = req.cookie(loc.name());
        yield c == null || c.isEmpty() ? List.of() : List.of(c);
      }
    };
  }

  /** A {@link Verified}, or the reason (Envoy's wording) the token is rejected. */
  private Object verify(Found f) {
    SignedJWT jwt;
    JWTClaimsSet claims;
    try {
      jwt = SignedJWT.parse(f.token());
      claims = jwt.getJWTClaimsSet();
    } catch (ParseException e) {
      return "Jwt is not in the form of Header.Payload.Signature with two dots and 3 sections";
    }
    var iss = claims.getIssuer();
    String failure = "Jwt issuer is not configured";
    for (var r : f.rules()) {
      if (!r.rule().issuer().equals(iss)) {
        continue;
      }
      var why = verifyWith(r, jwt, claims);
      if (why == null) {
        return new Verified(r, jwt, claims);
      }
      failure = why;
    }
    return failure;
  }

  private String verifyWith(CompiledRule r, SignedJWT jwt, JWTClaimsSet claims) {
    if (r.jwksProblem() != null) {
      return r.jwksProblem();
    }
    var matcher = JWKMatcher.forJWSHeader(jwt.getHeader());
    List<JWK> keys;
    try {
      keys = matching(r, matcher, false);
      if (keys.isEmpty() && r.jwksUri() != null) {
        keys = matching(r, matcher, true);
      }
    } catch (IOException e) {
      return "Jwks remote fetch is failed";
    }
    if (keys.isEmpty()) {
      return "Jwks doesn't have key to match kid or alg from Jwt";
    }
    boolean ok = false;
    var factory = new DefaultJWSVerifierFactory();
    for (var jwk : keys) {
      try {
        Key key = jwk instanceof OctetSequenceKey oct ? oct.toSecretKey() : jwk instanceof AsymmetricJWK a ? a.toPublicKey() : null;
        if (key != null && jwt.verify(factory.createJWSVerifier(jwt.getHeader(), key))) {
          ok = true;
          break;
        }
      } catch (JOSEException e) {
        // a key of the wrong shape or an unsupported algorithm (EdDSA needs Tink): try the next
      }
    }
    if (!ok) {
      return JwtResult.DENIED_PREFIX;
    }
    var now = clock.instant();
    if (claims.getExpirationTime() != null && now.isAfter(claims.getExpirationTime().toInstant().plus(SKEW))) {
      return "Jwt is expired";
    }
    if (claims.getNotBeforeTime() != null && now.plus(SKEW).isBefore(claims.getNotBeforeTime().toInstant())) {
      return "Jwt not yet valid";
    }
    var allowed = r.rule().audiences();
    if (!allowed.isEmpty()) {
      var aud = claims.getAudience() == null ? List.<String>of() : claims.getAudience();
      if (aud.stream().noneMatch(allowed::contains)) {
        return "Audiences in Jwt are not allowed";
      }
    }
    return null;
  }

  private List<JWK> matching(CompiledRule r, JWKMatcher matcher, boolean keyMissing) throws IOException {
    var set = r.inlineKeys() != null ? r.inlineKeys() : cache.get(r.jwksUri(), r.timeout(), keyMissing);
    return set.getKeys().stream().filter(matcher::matches).toList();
  }

  private static Map<String, Object> claimMap(JWTClaimsSet claims, Set<String> spaceDelimited) {
    var out = new LinkedHashMap<String, Object>();
    claims.toJSONObject().forEach((k, v) -> {
      if (v == null) {
        return;
      }
      if (spaceDelimited.contains(k) && v instanceof String s) {
        out.put(k, List.of(s.strip().split("\\s+")));
      } else {
        out.put(k, v);
      }
    });
    return out;
  }

  /** A claim (nested with dots, {@code a.b}) as header text: strings, numbers, booleans, lists of them joined by commas. */
  static String claimText(Map<String, Object> claims, String path) {
    Object v = claims;
    for (var part : path.split("\\.")) {
      if (!(v instanceof Map<?, ?> m)) {
        return null;
      }
      v = m.get(part);
    }
    if (v instanceof String || v instanceof Number || v instanceof Boolean) {
      return String.valueOf(v);
    }
    if (v instanceof List<?> list && list.stream().allMatch(x -> x instanceof String || x instanceof Number || x instanceof Boolean)) {
      return String.join(",", list.stream().map(String::valueOf).toList());
    }
    return null;
  }
}
