package io.meshwork.config.security;

import io.meshwork.config.schema.FieldPath;
import io.meshwork.config.schema.Validation;
import java.net.Inet6Address;
import java.util.List;

/**
 * The value checks istiod's webhook applies to AuthorizationPolicy strings: IP addresses and CIDR
 * ranges (Go's netip syntax), port numbers, service-account names, path templates, and the
 * {@code when} condition keys with their per-key value rules.
 */
final class AuthzValues {
  private static final com.google.re2j.Pattern LITERAL = com.google.re2j.Pattern.compile("[a-zA-Z0-9-._~%!$&'()+,;:@=]+");

  private AuthzValues() {}

  /**
   * Every item must be non-empty. A {@code *} anywhere but at the start or end is matched
   * literally (Istio only knows exact, prefix, suffix and presence matches), which is rarely
   * meant, so it is warned about.
   */
  static void nonEmpty(Validation v, FieldPath path, List<String> values) {
    for (int i = 0; i < values.size(); i++) {
      var s = values.get(i);
      if (s.isEmpty()) {
        v.invalid(path.index(i), "", "empty value not allowed");
      } else if (s.length() > 2 && s.substring(1, s.length() - 1).contains("*") && !s.contains("{*}") && !s.contains("{**}")) {
        v.warn(path.index(i), "'*' only matches as a prefix or suffix; \"" + s + "\" is matched literally");
      }
    }
  }

  /** Every item must be an IP address or a CIDR range. */
  static void ips(Validation v, FieldPath path, List<String> values) {
    for (int i = 0; i < values.size(); i++) {
      var s = values.get(i);
      if (s.contains("/")) {
        if (!isCidr(s)) {
          v.invalid(path.index(i), s, "bad CIDR range: give an address and a prefix length such as 10.0.0.0/16 or 2001:db8::/32");
        }
      } else if (!isIp(s)) {
        v.invalid(path.index(i), s, "bad IP address: give an IPv4 or IPv6 address such as 10.1.2.3");
      }
    }
  }

  /** Every item must be a port number 0..65535 written in decimal. */
  static void ports(Validation v, FieldPath path, List<String> values) {
    for (int i = 0; i < values.size(); i++) {
      var s = values.get(i);
      if (!isPort(s)) {
        v.invalid(path.index(i), s, "bad port: give a port number between 0 and 65535");
      }
    }
  }

  /** {@code serviceAccount} or {@code namespace/serviceAccount}, no wildcards, at most 320 characters. */
  static void serviceAccounts(Validation v, FieldPath path, List<String> values) {
    for (int i = 0; i < values.size(); i++) {
      var s = values.get(i);
      String problem = null;
      if (s.isEmpty()) {
        problem = "empty value not allowed";
      } else if (s.contains("*")) {
        problem = "wildcard not allowed";
      } else if (s.length() > 320) {
        problem = "value cannot exceed 320 characters";
      } else {
        int slash = s.indexOf('/');
        if (slash >= 0 && (s.indexOf('/', slash + 1) >= 0 || slash == 0 || slash == s.length() - 1)) {
          problem = "expected format 'serviceAccount' or 'namespace/serviceAccount'";
        }
      }
      if (problem != null) {
        v.invalid(path.index(i), s, problem);
      }
    }
  }

  /**
   * Paths using Istio's templates ({@code {*}} one segment, {@code {**}} the rest, last) may not
   * use other braces, and their literal segments must be valid path characters.
   */
  static void pathTemplates(Validation v, FieldPath path, List<String> values) {
    for (int i = 0; i < values.size(); i++) {
      var original = values.get(i);
      boolean template = original.contains("{*}") || original.contains("{**}");
      boolean seenAny = false;
      String problem = null;
      for (var glob : trimSlashes(original).split("/", -1)) {
        if ((glob.equals("{*}") || glob.equals("{**}")) && seenAny) {
          problem = "{**} must be the last operator of a path template";
          break;
        }
        if (glob.equals("{*}")) {
          continue;
        }
        if (glob.equals("{**}")) {
          seenAny = true;
          continue;
        }
        if (glob.indexOf('{') >= 0 || glob.indexOf('}') >= 0) {
          problem = "contains '{' or '}' beyond a supported path template ({*} or {**})";
          break;
        }
        if (template && !LITERAL.matches(glob)) {
          problem = "path template segment \"" + glob + "\" is not a valid path literal";
          break;
        }
      }
      if (problem != null) {
        v.invalid(path.index(i), original, "invalid or unsupported path: " + problem);
      }
    }
  }

  /** Keys of {@code when} conditions Istio supports, and what their values must look like. */
  static void condition(Validation v, FieldPath path, String key, List<String> values) {
    for (int i = 0; i < values.size(); i++) {
      if (values.get(i).isEmpty()) {
        v.invalid(path.index(i), "", "empty value not allowed");
        return;
      }
    }
    switch (key) {
      case "source.ip", "remote.ip", "destination.ip" -> ips(v, path, values);
      case "destination.port" -> ports(v, path, values);
      case "source.serviceAccount" -> serviceAccounts(v, path, values);
      default -> {} // free-form strings with Istio's prefix/suffix '*' matching
    }
  }

  /** Null when the key is supported, otherwise why not. */
  static String keyProblem(String key) {
    if (key.startsWith("request.headers") || key.startsWith("request.experimental.inline.headers")
        || key.startsWith("request.auth.claims") || key.startsWith("experimental.envoy.filters.")) {
      return mapKey(key) ? null : "bad key: should have the form name[key], such as request.headers[x-user]";
    }
    return switch (key) {
      case "source.ip", "remote.ip", "destination.ip", "destination.port", "source.serviceAccount", "source.namespace",
          "source.principal", "source.trustDomain", "request.auth.principal", "request.auth.audiences",
          "request.auth.presenter", "connection.sni" -> null;
      case "destination.namespace" -> "attribute destination.namespace is replaced by the metadata.namespace";
      case "destination.name", "destination.user" -> "deprecated attribute " + key + ": only supported in v1alpha1";
      default -> key.startsWith("destination.labels")
          ? "attribute " + key + " is replaced by the workload selector"
          : "unknown attribute: use one of Istio's condition keys (source.ip, request.headers[name], request.auth.claims[name], destination.port, ...)";
    };
  }

  private static boolean mapKey(String key) {
    int open = key.indexOf('[');
    return key.endsWith("]") && open > 0 && open < key.length() - 2;
  }

  private static String trimSlashes(String s) {
    int b = 0;
    int e = s.length();
    while (b < e && s.charAt(b) == '/') {
      b++;
    }
    while (e > b && s.charAt(e - 1) == '/') {
      e--;
    }
    return s.substring(b, e);
  }

  static boolean isPort(String s) {
    if (s.isEmpty() || s.length() > 10) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) < '0' || s.charAt(i) > '9') {
        return false;
      }
    }
    return Long.parseLong(s) <= 65535;
  }

  /** An IPv4 dotted quad without leading zeros, or an IPv6 literal (optionally with a zone). */
  static boolean isIp(String s) {
    if (s.indexOf(':') >= 0) {
      try {
        Inet6Address.ofLiteral(s);
        return true;
      } catch (IllegalArgumentException e) {
        return false;
      }
    }
    return isIpv4(s);
  }

  static boolean isCidr(String s) {
    int slash = s.indexOf('/');
    var addr = s.substring(0, slash);
    var bits = s.substring(slash + 1);
    if (bits.isEmpty() || bits.length() > 3 || addr.contains("%") || (bits.length() > 1 && bits.charAt(0) == '0')) {
      return false;
    }
    for (int i = 0; i < bits.length(); i++) {
      if (bits.charAt(i) < '0' || bits.charAt(i) > '9') {
        return false;
      }
    }
    int n = Integer.parseInt(bits);
    return isIp(addr) && n <= (addr.indexOf(':') >= 0 ? 128 : 32);
  }

  private static boolean isIpv4(String s) {
    var parts = s.split("\\.", -1);
    if (parts.length != 4) {
      return false;
    }
    for (var p : parts) {
      if (p.isEmpty() || p.length() > 3 || (p.length() > 1 && p.charAt(0) == '0')) {
        return false;
      }
      for (int i = 0; i < p.length(); i++) {
        if (p.charAt(i) < '0' || p.charAt(i) > '9') {
          return false;
        }
      }
      if (Integer.parseInt(p) > 255) {
        return false;
      }
    }
    return true;
  }
}
