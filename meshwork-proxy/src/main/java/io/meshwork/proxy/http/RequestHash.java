package io.meshwork.proxy.http;

import io.meshwork.proxy.cluster.Hashing;
import io.meshwork.proxy.config.HashPolicy;
import io.meshwork.proxy.config.QueryParamMatcher;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.List;

/** Computes a request's hash from a route's hash policies (Envoy semantics: combine, stop at terminal). */
final class RequestHash {
  private RequestHash() {}

  /** The hash, or null when no policy produced one (the balancer then picks at random). */
  static Long compute(List<HashPolicy> policies, NettyRequestHead head, SocketAddress remote) {
    Long hash = null;
    for (var p : policies) {
      String value = switch (p) {
        case HashPolicy.Header h -> head.header(h.name());
        case HashPolicy.Cookie c -> cookie(head.header("cookie"), c.name());
        case HashPolicy.SourceIp s -> remote instanceof InetSocketAddress a ? a.getAddress().getHostAddress() : null;
        case HashPolicy.QueryParameter q -> QueryParamMatcher.firstValue(head.query(), q.name());
      };
      if (value == null) {
        continue;
      }
      long h = Hashing.hash(value);
      hash = hash == null ? h : Hashing.combine(hash, h);
      if (p.terminal()) {
        break;
      }
    }
    return hash;
  }

  static String cookie(String header, String name) {
    if (header == null) {
      return null;
    }
    for (var part : header.split(";")) {
      int eq = part.indexOf('=');
      if (eq > 0 && part.substring(0, eq).strip().equals(name)) {
        return part.substring(eq + 1).strip();
      }
    }
    return null;
  }
}
