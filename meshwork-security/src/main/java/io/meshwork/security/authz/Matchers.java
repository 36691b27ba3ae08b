package io.meshwork.security.authz;

import java.net.InetAddress;
import java.util.Locale;
import java.util.function.Predicate;

/**
 * Istio's value matching: {@code *} alone means "present and non-empty", a leading {@code *} a
 * suffix match, a trailing {@code *} a prefix match, anything else an exact match; IP values are
 * addresses or CIDR ranges.
 */
final class Matchers {
  private Matchers() {}

  /** A string matcher for one policy value; null inputs (absent attributes) never match. */
  static Predicate<String> string(String pattern, boolean ignoreCase) {
    var p = ignoreCase ? pattern.toLowerCase(Locale.ROOT) : pattern;
    Predicate<String> m;
    if (p.equals("*")) {
      m = s -> !s.isEmpty();
    } else if (p.startsWith("*")) {
      var suffix = p.substring(1);
      m = s -> s.endsWith(suffix);
    } else if (p.endsWith("*")) {
      var prefix = p.substring(0, p.length() - 1);
      m = s -> s.startsWith(prefix);
    } else {
      m = s -> s.equals(p);
    }
    return s -> s != null && m.test(ignoreCase ? s.toLowerCase(Locale.ROOT) : s);
  }

  /**
   * A host matcher: case-insensitive, and a value without a port also matches the authority
   * with any port ({@code example.com} matches {@code example.com:8080}), as Istio generates it.
   */
  static Predicate<String> host(String pattern) {
    var full = string(pattern, true);
    return h -> h != null && (full.test(h) || full.test(stripPort(h)));
  }

  static String stripPort(String authority) {
    if (authority.startsWith("[")) {
      int close = authority.indexOf(']');
      return close > 0 ? authority.substring(0, close + 1) : authority;
    }
    int colon = authority.lastIndexOf(':');
    return colon > 0 && authority.indexOf(':') == colon ? authority.substring(0, colon) : authority;
  }

  /** An address or CIDR range matcher; addresses of the other family never match. */
  static Predicate<InetAddress> ip(String value) {
    int slash = value.indexOf('/');
    var addr = literal(slash < 0 ? value : value.substring(0, slash));
    byte[] net = addr.getAddress();
    int bits = slash < 0 ? net.length * 8 : Integer.parseInt(value.substring(slash + 1));
    return a -> {
      if (a == null) {
        return false;
      }
      byte[] b = a.getAddress();
      if (b.length != net.length) {
        return false;
      }
      int full = bits / 8;
      for (int i = 0; i < full; i++) {
        if (b[i] != net[i]) {
          return false;
        }
      }
      int rest = bits % 8;
      if (rest == 0) {
        return true;
      }
      int mask = (0xff << (8 - rest)) & 0xff;
      return (b[full] & mask) == (net[full] & mask);
    };
  }

  private static InetAddress literal(String s) {
    var zoneless = s.indexOf('%') >= 0 ? s.substring(0, s.indexOf('%')) : s;
    return zoneless.indexOf(':') >= 0 ? java.net.Inet6Address.ofLiteral(zoneless) : java.net.Inet4Address.ofLiteral(zoneless);
  }

  /**
   * A path matcher on the normalized path: exact, prefix ({@code /api/*}), suffix
   * ({@code *.png}), presence ({@code *}), or an Istio path template where {@code {*}} is one
   * segment and {@code {**}} one or more segments.
   */
  static Predicate<String> path(String pattern) {
    if (!pattern.contains("{*}") && !pattern.contains("{**}")) {
      return string(pattern, false);
    }
    var tpl = pattern.substring(pattern.startsWith("/") ? 1 : 0).split("/", -1);
    return p -> p != null && p.startsWith("/") && template(tpl, p.substring(1).split("/", -1));
  }

  private static boolean template(String[] tpl, String[] segs) {
    int many = -1;
    for (int i = 0; i < tpl.length; i++) {
      if (tpl[i].equals("{**}")) {
        many = i;
      }
    }
    if (many < 0) {
      if (tpl.length != segs.length) {
        return false;
      }
      for (int i = 0; i < tpl.length; i++) {
        if (!segment(tpl[i], segs[i])) {
          return false;
        }
      }
      return true;
    }
    int after = tpl.length - many - 1;
    if (segs.length < many + 1 + after) {
      return false;
    }
    for (int i = 0; i < many; i++) {
      if (!segment(tpl[i], segs[i])) {
        return false;
      }
    }
    for (int i = 0; i < after; i++) {
      if (!segment(tpl[tpl.length - 1 - i], segs[segs.length - 1 - i])) {
        return false;
      }
    }
    for (int i = many; i < segs.length - after; i++) {
      if (segs[i].isEmpty()) {
        return false;
      }
    }
    return true;
  }

  private static boolean segment(String tpl, String seg) {
    return tpl.equals("{*}") ? !seg.isEmpty() : tpl.equals(seg);
  }
}
