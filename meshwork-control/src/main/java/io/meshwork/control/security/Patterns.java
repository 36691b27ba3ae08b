package io.meshwork.control.security;

import io.envoyproxy.envoy.type.matcher.v3.RegexMatcher;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;

/**
 * Istio's value syntax in AuthorizationPolicy ({@code *} = present and non-empty, {@code x*}
 * prefix, {@code *x} suffix, otherwise exact) as Envoy string matchers.
 */
final class Patterns {
  private Patterns() {}

  /** The value as a matcher, with {@code addPrefix} in front of exact and prefix values (e.g. {@code spiffe://}). */
  static StringMatcher of(String v, String addPrefix) {
    var b = StringMatcher.newBuilder();
    if (v.equals("*")) {
      return b.setSafeRegex(regex(quote(addPrefix) + ".+")).build();
    }
    if (v.endsWith("*")) {
      return b.setPrefix(addPrefix + v.substring(0, v.length() - 1)).build();
    }
    if (v.startsWith("*")) {
      return b.setSuffix(v.substring(1)).build();
    }
    return b.setExact(addPrefix + v).build();
  }

  static StringMatcher of(String v) {
    return of(v, "");
  }

  /** A regex fragment for one value inside a larger regex (no {@code /} crossed by wildcards). */
  static String segment(String v) {
    if (v.equals("*")) {
      return "[^/]+";
    }
    if (v.endsWith("*")) {
      return quote(v.substring(0, v.length() - 1)) + "[^/]*";
    }
    if (v.startsWith("*")) {
      return "[^/]*" + quote(v.substring(1));
    }
    return quote(v);
  }

  /** Host values: case-insensitive; a host without a port also matches {@code host:port}. */
  static StringMatcher host(String v) {
    String core;
    boolean hasPort = v.matches(".*:[0-9]+$") || v.endsWith(":*");
    if (v.equals("*")) {
      core = ".+";
    } else if (v.endsWith("*")) {
      core = quote(v.substring(0, v.length() - 1)) + ".*";
    } else if (v.startsWith("*")) {
      core = ".*" + quote(v.substring(1));
    } else {
      core = quote(v);
    }
    return StringMatcher.newBuilder().setSafeRegex(regex("(?i)" + core + (hasPort || v.equals("*") ? "" : "(:[0-9]+)?"))).build();
  }

  /** Paths, with Istio's {@code {*}} (one segment) and {@code {**}} (one or more) templates. */
  static StringMatcher path(String v) {
    if (!v.contains("{*")) {
      return of(v);
    }
    var sb = new StringBuilder();
    int i = 0;
    while (i < v.length()) {
      if (v.startsWith("{**}", i)) {
        sb.append(".+");
        i += 4;
      } else if (v.startsWith("{*}", i)) {
        sb.append("[^/]+");
        i += 3;
      } else {
        int next = v.indexOf('{', i + 1);
        int end = next < 0 ? v.length() : next;
        sb.append(quote(v.substring(i, end)));
        i = end;
      }
    }
    return StringMatcher.newBuilder().setSafeRegex(regex(sb.toString())).build();
  }

  static RegexMatcher regex(String re) {
    return RegexMatcher.newBuilder().setRegex(re).build();
  }

  /** RE2-safe quoting (RE2 accepts {@code \Q...\E}, but escaping each metacharacter is clearer in dumps). */
  static String quote(String s) {
    var sb = new StringBuilder();
    for (char c : s.toCharArray()) {
      if ("\\.+*?()|[]{}^$".indexOf(c) >= 0) {
        sb.append('\\');
      }
      sb.append(c);
    }
    return sb.toString();
  }
}
