package io.meshwork.control.translate;

import io.meshwork.config.networking.HTTPMatchRequest;
import io.meshwork.config.networking.HTTPRoute;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;

/**
 * Inlines delegate VirtualServices: a root route with {@code delegate} is replaced by the delegate's
 * routes, each match merged with the root's (the delegate's fields win, headers are combined), and
 * destinations resolved in the delegate's namespace.
 */
final class Delegates {
  /** A route and the namespace its hosts are written in. */
  record NsRoute(HTTPRoute route, String namespace) {}

  private Delegates() {}

  static List<NsRoute> expand(MeshContext ctx, List<HTTPRoute> routes, String ns) {
    var out = new ArrayList<NsRoute>();
    for (var r : routes) {
      if (r.delegate() == null) {
        out.add(new NsRoute(r, ns));
        continue;
      }
      var dns = r.delegate().namespace() == null || r.delegate().namespace().isEmpty() ? ns : r.delegate().namespace();
      var d = ctx.delegate(r.delegate().name(), dns);
      if (d == null) {
        continue;
      }
      for (var dr : d.http()) {
        out.add(new NsRoute(withMatches(dr, merge(r.match(), dr.match())), dns));
      }
    }
    return out;
  }

  private static List<HTTPMatchRequest> merge(List<HTTPMatchRequest> root, List<HTTPMatchRequest> child) {
    if (root.isEmpty()) {
      return child;
    }
    if (child.isEmpty()) {
      return root;
    }
    var out = new ArrayList<HTTPMatchRequest>();
    for (var p : root) {
      for (var c : child) {
        var headers = new HashMap<>(p.headers());
        headers.putAll(c.headers());
        var without = new HashMap<>(p.withoutHeaders());
        without.putAll(c.withoutHeaders());
        var query = new HashMap<>(p.queryParams());
        query.putAll(c.queryParams());
        out.add(new HTTPMatchRequest(c.name() != null ? c.name() : p.name(), or(c.uri(), p.uri()), or(c.scheme(), p.scheme()),
            or(c.method(), p.method()), or(c.authority(), p.authority()), headers, or(c.port(), p.port()),
            c.sourceLabels().isEmpty() ? p.sourceLabels() : c.sourceLabels(), p.gateways(), query,
            or(c.ignoreUriCase(), p.ignoreUriCase()), without, or(c.sourceNamespace(), p.sourceNamespace()), or(c.statPrefix(), p.statPrefix())));
      }
    }
    return out;
  }

  private static <T> T or(T a, T b) {
    return a != null ? a : b;
  }

  private static HTTPRoute withMatches(HTTPRoute r, List<HTTPMatchRequest> m) {
    return new HTTPRoute(r.name(), m, r.route(), r.redirect(), r.directResponse(), null, r.rewrite(), r.timeout(), r.retries(), r.fault(),
        r.mirror(), r.mirrors(), r.mirrorPercent(), r.mirrorPercentage(), r.corsPolicy(), r.headers(), r.websocketUpgrade());
  }
}
