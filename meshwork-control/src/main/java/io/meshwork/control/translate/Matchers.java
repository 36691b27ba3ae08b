package io.meshwork.control.translate;

import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.envoyproxy.envoy.config.route.v3.QueryParameterMatcher;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatcher;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import io.meshwork.config.networking.HTTPMatchRequest;
import io.meshwork.config.networking.StringMatch;

/** Istio's HTTPMatchRequest as an Envoy RouteMatch. */
final class Matchers {
  private Matchers() {}

  static RouteMatch routeMatch(HTTPMatchRequest m) {
    var b = RouteMatch.newBuilder();
    if (m == null) {
      return b.setPrefix("/").build();
    }
    var uri = m.uri();
    if (uri == null || (uri.exact() == null && uri.prefix() == null && uri.regex() == null)) {
      b.setPrefix("/");
    } else if (uri.exact() != null) {
      b.setPath(uri.exact());
    } else if (uri.prefix() != null) {
      b.setPrefix(uri.prefix());
    } else {
      b.setSafeRegex(RegexMatcher.newBuilder().setRegex(uri.regex()));
    }
    if (Boolean.TRUE.equals(m.ignoreUriCase())) {
      b.setCaseSensitive(com.google.protobuf.BoolValue.of(false));
    }
    m.headers().forEach((k, v) -> b.addHeaders(header(k, v, false)));
    m.withoutHeaders().forEach((k, v) -> b.addHeaders(header(k, v, true)));
    if (m.method() != null) {
      b.addHeaders(header(":method", m.method(), false));
    }
    if (m.authority() != null) {
      b.addHeaders(header(":authority", m.authority(), false));
    }
    if (m.scheme() != null) {
      b.addHeaders(header(":scheme", m.scheme(), false));
    }
    m.queryParams().forEach((k, v) -> {
      var q = QueryParameterMatcher.newBuilder().setName(k);
      var sm = string(v);
      if (sm == null) {
        q.setPresentMatch(true);
      } else {
        q.setStringMatch(sm);
      }
      b.addQueryParameters(q);
    });
    return b.build();
  }

  static HeaderMatcher header(String name, StringMatch v, boolean invert) {
    var h = HeaderMatcher.newBuilder().setName(name.toLowerCase(java.util.Locale.ROOT)).setInvertMatch(invert);
    var sm = string(v);
    if (sm == null) {
      h.setPresentMatch(true);
    } else {
      h.setStringMatch(sm);
    }
    return h.build();
  }

  /** A StringMatch as Envoy's matcher; null when it matches anything (an empty match means presence). */
  static StringMatcher string(StringMatch v) {
    if (v == null) {
      return null;
    }
    if (v.exact() != null) {
      return StringMatcher.newBuilder().setExact(v.exact()).build();
    }
    if (v.prefix() != null) {
      return StringMatcher.newBuilder().setPrefix(v.prefix()).build();
    }
    if (v.regex() != null) {
      return StringMatcher.newBuilder().setSafeRegex(RegexMatcher.newBuilder().setRegex(v.regex())).build();
    }
    return null;
  }
}
