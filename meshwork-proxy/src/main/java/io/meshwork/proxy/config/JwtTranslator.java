package io.meshwork.proxy.config;

import com.google.protobuf.InvalidProtocolBufferException;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtProvider;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtRequirement;
import io.meshwork.config.security.JWTRule;
import io.meshwork.config.security.RequestAuthentication;
import io.meshwork.security.jwt.HttpJwksFetcher;
import io.meshwork.security.jwt.JwksCache;
import io.meshwork.security.jwt.JwtAuthenticator;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication} to {@link JwtAuthnConfig}.
 * Each provider becomes a rule of the security library's {@link JwtAuthenticator} (issuer,
 * audiences, inline or remote keys, token locations, forwarding and output headers). The rules
 * must be one {@code prefix: /} rule, as Istio generates: {@code provider_name} (token required),
 * {@code requires_any} of providers plus {@code allow_missing} (Istio's RequestAuthentication) or
 * {@code allow_missing_or_failed}. Remote key sets are fetched off the event loop and cached for the
 * provider's {@code cache_duration} (20 minutes by default, as Istio configures).
 */
public final class JwtTranslator {
  private static final Duration DEFAULT_CACHE = Duration.ofMinutes(20);

  private JwtTranslator() {}

  public static JwtAuthnConfig jwt(com.google.protobuf.Any any, String path) throws ConfigException {
    JwtAuthentication a;
    try {
      a = any.unpack(JwtAuthentication.class);
    } catch (InvalidProtocolBufferException e) {
      throw new ConfigException(path, "cannot be decoded (" + e.getMessage() + ")");
    }
    var rules = new ArrayList<JWTRule>();
    boolean remote = false;
    Duration cache = null;
    for (var e : new java.util.TreeMap<>(a.getProvidersMap()).entrySet()) {
      var pPath = path + ".providers[" + e.getKey() + "]";
      var p = e.getValue();
      rules.add(rule(p, pPath));
      if (p.hasRemoteJwks()) {
        remote = true;
        if (p.getRemoteJwks().hasCacheDuration()) {
          var d = Protos.duration(p.getRemoteJwks().getCacheDuration());
          cache = cache == null || d.compareTo(cache) < 0 ? d : cache;
        }
      }
    }
    var requirement = requirement(a, path);
    var keys = new JwksCache(new HttpJwksFetcher(), Clock.systemUTC(), cache == null ? DEFAULT_CACHE : cache, Duration.ofSeconds(30));
    var auth = JwtAuthenticator.compile(List.of(new RequestAuthentication(null, null, List.of(), List.copyOf(rules))), keys,
        Clock.systemUTC());
    if (remote) {
      Thread.ofVirtual().name("jwks-prefetch").start(auth::prefetch); // warm the cache; requests never wait on the loop
    }
    return new JwtAuthnConfig(auth, requirement, remote);
  }

  private static JWTRule rule(JwtProvider p, String path) throws ConfigException {
    if (p.getIssuer().isEmpty()) {
      throw new ConfigException(path + ".issuer", "a provider needs an issuer");
    }
    String jwks = null;
    String uri = null;
    io.meshwork.config.types.Duration timeout = null;
    if (p.hasLocalJwks()) {
      var src = p.getLocalJwks();
      if (!src.hasInlineString()) {
        throw new ConfigException(path + ".local_jwks", "only inline_string key sets are supported");
      }
      jwks = src.getInlineString();
    } else if (p.hasRemoteJwks()) {
      var http = p.getRemoteJwks().getHttpUri();
      if (http.getUri().isEmpty()) {
        throw new ConfigException(path + ".remote_jwks.http_uri.uri", "a remote key set needs a uri");
      }
      uri = http.getUri();
      if (http.hasTimeout()) {
        timeout = io.meshwork.config.types.Duration.ofMillis(Math.max(1, Protos.duration(http.getTimeout()).toMillis()));
      }
    } else {
      throw new ConfigException(path, "a provider needs local_jwks or remote_jwks");
    }
    var headers = new ArrayList<JWTRule.JWTHeader>();
    for (var h : p.getFromHeadersList()) {
      headers.add(new JWTRule.JWTHeader(h.getName(), h.getValuePrefix()));
    }
    var claims = new ArrayList<JWTRule.ClaimToHeader>();
    for (var c : p.getClaimToHeadersList()) {
      claims.add(new JWTRule.ClaimToHeader(c.getHeaderName(), c.getClaimName()));
    }
    return new JWTRule(p.getIssuer(), List.copyOf(p.getAudiencesList()), uri, jwks, List.copyOf(headers),
        List.copyOf(p.getFromParamsList()), p.getForwardPayloadHeader().isEmpty() ? null : p.getForwardPayloadHeader(),
        List.copyOf(p.getFromCookiesList()), p.getForward(), List.copyOf(claims), List.of(), timeout);
  }

  private static JwtAuthnConfig.Requirement requirement(JwtAuthentication a, String path) throws ConfigException {
    if (a.getRulesCount() == 0) {
      return JwtAuthnConfig.Requirement.NONE;
    }
    if (a.getRulesCount() > 1 || !a.getRules(0).getMatch().getPrefix().equals("/")) {
      throw new ConfigException(path + ".rules", "only one rule matching prefix \"/\" is supported (as Istio generates)");
    }
    var r = a.getRules(0);
    var rPath = path + ".rules[0]";
    if (!r.hasRequires()) {
      return JwtAuthnConfig.Requirement.NONE;
    }
    var req = r.getRequires();
    return switch (req.getRequiresTypeCase()) {
      case PROVIDER_NAME -> known(a, req.getProviderName(), rPath + ".requires.provider_name", JwtAuthnConfig.Requirement.REQUIRED);
      case ALLOW_MISSING -> JwtAuthnConfig.Requirement.ALLOW_MISSING;
      case ALLOW_MISSING_OR_FAILED -> JwtAuthnConfig.Requirement.ALLOW_MISSING_OR_FAILED;
      case REQUIRES_ANY -> any(a, req.getRequiresAny().getRequirementsList(), rPath + ".requires.requires_any.requirements");
      default -> throw new ConfigException(rPath + ".requires", req.getRequiresTypeCase() + " is not supported");
    };
  }

  private static JwtAuthnConfig.Requirement any(JwtAuthentication a, List<JwtRequirement> list, String path) throws ConfigException {
    var out = JwtAuthnConfig.Requirement.REQUIRED;
    for (int i = 0; i < list.size(); i++) {
      var r = list.get(i);
      switch (r.getRequiresTypeCase()) {
        case PROVIDER_NAME -> known(a, r.getProviderName(), path + "[" + i + "].provider_name", out);
        case ALLOW_MISSING -> out = out == JwtAuthnConfig.Requirement.ALLOW_MISSING_OR_FAILED ? out : JwtAuthnConfig.Requirement.ALLOW_MISSING;
        case ALLOW_MISSING_OR_FAILED -> out = JwtAuthnConfig.Requirement.ALLOW_MISSING_OR_FAILED;
        default -> throw new ConfigException(path + "[" + i + "]", r.getRequiresTypeCase()
            + " is not supported inside requires_any (provider_name, allow_missing, allow_missing_or_failed)");
      }
    }
    return out;
  }

  private static JwtAuthnConfig.Requirement known(JwtAuthentication a, String name, String path, JwtAuthnConfig.Requirement r)
      throws ConfigException {
    if (!a.containsProviders(name)) {
      throw new ConfigException(path, "unknown provider \"" + name + "\"");
    }
    return r;
  }
}
