package io.meshwork.proxy.http;

import io.meshwork.proxy.config.JwtAuthnConfig;
import io.meshwork.proxy.config.PathNormalizationConfig;
import io.meshwork.proxy.config.RbacConfig;
import io.meshwork.proxy.config.RbacRequest;
import io.meshwork.proxy.config.RequestHead;
import io.meshwork.proxy.stats.HttpStats;
import io.meshwork.proxy.transport.PeerIdentity;
import io.meshwork.security.authz.PathNormalizer;
import io.meshwork.security.jwt.JwtRequest;
import io.meshwork.security.jwt.JwtResult;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.FullHttpRequest;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;

/**
 * The per-request state and steps of path normalization, {@code jwt_authn} and RBAC for one
 * {@link Exchange}. The JWT filter publishes the verified token under the dynamic metadata
 * namespace {@code istio_authn} (keys {@code request.auth.principal}, {@code .audiences},
 * {@code .presenter}, {@code .claims}), which is where Istio's RBAC policies look for them.
 */
final class HttpAuthz {
  /** The dynamic metadata namespace RBAC rules read request authentication from (Istio's). */
  static final String AUTHN = "istio_authn";
  static final String DENIED_BODY = "RBAC: access denied";
  /** Remote key fetches block: JWT verification for such filters runs here, never on an event loop. */
  static final Executor BLOCKING = Executors.newVirtualThreadPerTaskExecutor();
  private static final System.Logger AUDIT = System.getLogger("io.meshwork.proxy.rbac.audit");

  private final Map<String, Object> metadata = new HashMap<>();

  /**
   * Rewrites the request target to its normalized form (query kept), so routing, RBAC and the
   * application see the same path. False when the path is malformed (answer 400).
   */
  static boolean normalize(PathNormalizationConfig cfg, FullHttpRequest request) {
    var uri = request.uri();
    String prefix = "";
    if (uri.startsWith("http://") || uri.startsWith("https://")) {
      int slash = uri.indexOf('/', uri.indexOf("//") + 2);
      if (slash < 0) {
        return true;
      }
      prefix = uri.substring(0, slash);
      uri = uri.substring(slash);
    }
    if (cfg.rejectEscapedSlashes()) {
      var path = uri.indexOf('?') >= 0 ? uri.substring(0, uri.indexOf('?')) : uri;
      var lower = path.toLowerCase(Locale.ROOT);
      if (lower.contains("%2f") || lower.contains("%5c")) {
        return false;
      }
    }
    var target = PathNormalizer.normalizeTarget(uri, cfg.mode());
    if (target == null) {
      return false;
    }
    request.setUri(prefix + target);
    return true;
  }

  /** The attributes RBAC sees for this request. */
  RbacRequest attributes(RequestHead head, Channel ch) {
    var local = ch.localAddress() instanceof InetSocketAddress a ? a : null;
    var peer = ch.remoteAddress() instanceof InetSocketAddress a ? a.getAddress() : null;
    return new RbacRequest(head, local == null ? null : local.getAddress(), local == null ? 0 : local.getPort(), peer,
        forwardedFor(head.header("x-forwarded-for")), PeerIdentity.of(ch), metadata);
  }

  /** The right-most address of {@code x-forwarded-for} (no trusted hops), or null. */
  static InetAddress forwardedFor(String xff) {
    if (xff == null || xff.isBlank()) {
      return null;
    }
    var parts = xff.split(",");
    var last = parts[parts.length - 1].strip();
    if (!last.matches("[0-9a-fA-F:.]+")) {
      return null;
    }
    try {
      return InetAddress.getByName(last);
    } catch (java.net.UnknownHostException e) {
      return null;
    }
  }

  /** Runs one RBAC filter; false when the request is denied (the caller answers 403). */
  boolean rbac(RbacConfig cfg, RequestHead head, Channel ch, HttpStats stats) {
    var attrs = attributes(head, ch);
    if (cfg.shadowRules() != null) {
      var shadow = cfg.shadowRules().decide(attrs);
      (shadow.allowed() ? stats.rbacShadowAllowed : stats.rbacShadowDenied).inc();
    }
    var d = cfg.decide(attrs);
    if (cfg.rules() != null && cfg.rules().action() == RbacConfig.Action.LOG) {
      if (d.log()) {
        stats.rbacLogged.inc();
        AUDIT.log(System.Logger.Level.INFO, "rbac audit: policy={0} method={1} path={2} peer={3} principal={4}", d.policy(),
            head.method(), head.path(), attrs.directRemote() == null ? "-" : attrs.directRemote().getHostAddress(),
            attrs.peer().principal().isEmpty() ? "-" : attrs.peer().principal());
      } else {
        stats.rbacNotLogged.inc();
      }
      return true;
    }
    (d.allowed() ? stats.rbacAllowed : stats.rbacDenied).inc();
    return d.allowed();
  }

  /** What the JWT filter needs from the request, captured on the event loop. */
  static JwtRequest jwtRequest(FullHttpRequest request) {
    var headers = new LinkedHashMap<String, List<String>>();
    for (var e : request.headers()) {
      headers.computeIfAbsent(e.getKey().toLowerCase(Locale.ROOT), k -> new ArrayList<>()).add(e.getValue());
    }
    return new JwtRequest(headers, request.uri());
  }

  /**
   * Applies a JWT outcome: header removals and outputs, the {@code istio_authn} metadata. Returns
   * the 401 message when the request must be refused, else null.
   */
  String applyJwt(JwtAuthnConfig cfg, JwtResult result, FullHttpRequest request, HttpStats stats) {
    var h = request.headers();
    for (var name : result.removeHeaders()) {
      h.remove(name);
    }
    switch (result.status()) {
      case INVALID -> {
        if (cfg.requirement() != JwtAuthnConfig.Requirement.ALLOW_MISSING_OR_FAILED) {
          stats.jwtDenied.inc();
          return result.message() == null ? JwtResult.DENIED_PREFIX : result.message();
        }
      }
      case NO_TOKEN -> {
        if (cfg.requirement() == JwtAuthnConfig.Requirement.REQUIRED) {
          stats.jwtDenied.inc();
          return "Jwt is missing";
        }
      }
      case VALID -> {
        result.setHeaders().forEach(h::set);
        var jwt = result.jwt();
        var m = new HashMap<String, Object>();
        m.put("request.auth.principal", jwt.principal());
        m.put("request.auth.audiences", List.copyOf(jwt.audiences()));
        if (jwt.presenter() != null) {
          m.put("request.auth.presenter", jwt.presenter());
        }
        m.put("request.auth.claims", claims(jwt.claims()));
        metadata.put(AUTHN, m);
      }
    }
    stats.jwtAllowed.inc();
    return null;
  }

  /** Claims as metadata: objects stay maps (nested claims), everything else becomes a list of strings. */
  private static Map<String, Object> claims(Map<String, Object> in) {
    var out = new HashMap<String, Object>();
    in.forEach((k, v) -> out.put(k, claimValue(v)));
    return out;
  }

  @SuppressWarnings("unchecked")
  private static Object claimValue(Object v) {
    if (v instanceof Map<?, ?> m) {
      return claims((Map<String, Object>) m);
    }
    if (v instanceof java.util.Collection<?> c) {
      var list = new ArrayList<String>();
      for (var e : c) {
        list.add(String.valueOf(e));
      }
      return List.copyOf(list);
    }
    return List.of(String.valueOf(v));
  }
}
