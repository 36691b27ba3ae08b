package io.meshwork.proxy.http;

import io.meshwork.proxy.config.PathMatcher;
import io.meshwork.proxy.config.RouteAction;

/** Path rewrites and redirect locations, computed from the matched route (Envoy semantics). */
final class Rewrites {
  private Rewrites() {}

  /** The upstream path+query after prefix or regex rewrite. */
  static String upstreamPath(NettyRequestHead head, PathMatcher matcher, RouteAction.Forward f) {
    var path = head.path();
    if (f.prefixRewrite() != null) {
      path = replacePrefix(path, matcher, f.prefixRewrite());
    } else if (f.regexRewrite() != null) {
      path = f.regexRewrite().matcher(path).replaceAll(f.regexSubstitution());
    }
    return head.query().isEmpty() ? path : path + "?" + head.query();
  }

  /** Replaces the matched prefix (or whole path for exact matches) with {@code replacement}. */
  static String replacePrefix(String path, PathMatcher matcher, String replacement) {
    return switch (matcher) {
      case PathMatcher.Prefix p -> replacement + path.substring(p.prefix().length());
      case PathMatcher.SeparatedPrefix p -> replacement + path.substring(p.prefix().length());
      case PathMatcher.Exact e -> replacement;
      case PathMatcher.Regex r -> path;
    };
  }

  /** The Location of a redirect: request parts replaced by the configured ones. */
  static String location(NettyRequestHead head, PathMatcher matcher, RouteAction.Redirect r) {
    var scheme = r.scheme() != null ? r.scheme() : head.scheme();
    var authority = head.authority();
    String host = authority;
    String port = null;
    int colon = authority.lastIndexOf(':');
    if (colon > 0 && authority.indexOf(']') < colon) {
      host = authority.substring(0, colon);
      port = authority.substring(colon + 1);
    }
    if (r.host() != null) {
      host = r.host();
    }
    if (r.port() != 0) {
      port = Integer.toString(r.port());
    } else if (r.scheme() != null && !r.scheme().equals(head.scheme())) {
      port = null; // Envoy drops the port on a scheme change unless one is configured
    }
    if (port != null && (scheme.equals("http") && port.equals("80") || scheme.equals("https") && port.equals("443"))) {
      port = null;
    }
    String path;
    String query = head.query();
    if (r.path() != null) {
      int q = r.path().indexOf('?');
      path = q >= 0 ? r.path().substring(0, q) : r.path();
      if (q >= 0) {
        query = r.path().substring(q + 1);
      }
    } else if (r.prefixRewrite() != null) {
      path = replacePrefix(head.path(), matcher, r.prefixRewrite());
    } else {
      path = head.path();
    }
    if (r.stripQuery()) {
      query = "";
    }
    return scheme + "://" + host + (port == null ? "" : ":" + port) + path + (query.isEmpty() ? "" : "?" + query);
  }
}
