package io.meshwork.config.networking;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import io.meshwork.config.schema.FieldPath;
import io.meshwork.config.schema.Validation;
import io.meshwork.config.types.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Checks shared by several networking kinds (the istiod webhook's host, label, header, regex,
 * duration and port rules), kept in one place so every kind words them the same way.
 */
final class NetRules {
  private static final Pattern DNS1123_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
  private static final Pattern DNS_LABEL_ANY_CASE = Pattern.compile("[a-zA-Z0-9]([-a-zA-Z0-9]*[a-zA-Z0-9])?");
  private static final Pattern QUALIFIED_NAME = Pattern.compile("([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]");
  private static final Pattern LABEL_VALUE = Pattern.compile("(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?");
  /** RFC 7230 token characters. */
  private static final Pattern HEADER_NAME = Pattern.compile("[!#$%&'*+\\-.^_`|~0-9a-zA-Z]+");
  private static final Set<String> PROTOCOLS = Set.of("HTTP", "HTTPS", "GRPC", "GRPC-WEB", "HTTP2", "MONGO", "REDIS",
      "MYSQL", "TCP", "TLS", "UDP", "HTTP_PROXY", "THRIFT", "HBONE");

  private NetRules() {}

  /**
   * An FQDN or wildcard domain as Istio's ValidateWildcardDomain accepts it: only the first label
   * may hold a wildcard, as {@code *} or a {@code *} prefix ({@code *.example.com}, {@code *x});
   * short names are allowed.
   */
  static String checkWildcardDomain(String host) {
    if (host == null || host.isEmpty()) {
      return "domain name cannot be empty";
    }
    if (host.length() > 255) {
      return "domain name " + quote(host) + " too long (max 255)";
    }
    int dot = host.indexOf('.');
    var first = dot < 0 ? host : host.substring(0, dot);
    var labelOk = first.equals("*")
        || (first.startsWith("*") && first.length() <= 63 && DNS_LABEL_ANY_CASE.matches(first.substring(1)))
        || (first.length() <= 63 && DNS_LABEL_ANY_CASE.matches(first));
    if (!labelOk) {
      return "domain name " + quote(host) + " invalid (label " + quote(first) + (host.indexOf('*') >= 0
          ? " invalid: a wildcard may only start the first label, as in *.example.com)"
          : " must be 1-63 letters, digits or '-', starting and ending with a letter or digit)");
    }
    return dot < 0 ? null : checkDnsName(host, host.substring(dot + 1));
  }

  /** A DNS name made of labels, each at most 63 characters; a trailing dot is allowed. */
  static String checkDnsName(String full, String name) {
    var n = name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
    if (n.isEmpty()) {
      return "domain name " + quote(full) + " invalid: it has no labels";
    }
    for (var label : n.split("\\.", -1)) {
      if (label.length() > 63 || !DNS_LABEL_ANY_CASE.matches(label)) {
        return "domain name " + quote(full) + " invalid (label " + quote(label)
            + " must be 1-63 letters, digits or '-', starting and ending with a letter or digit)";
      }
    }
    return null;
  }

  static boolean isDns1123Label(String s) {
    return s != null && s.length() <= 63 && DNS1123_LABEL.matches(s);
  }

  /** {@code namespace/host}, {@code ./host}, {@code * /host} or a bare host (Gateway servers, Sidecar egress). */
  static String checkNamespaceSlashHost(String value, boolean bareHostAllowed) {
    int slash = value.indexOf('/');
    if (slash < 0) {
      if (!bareHostAllowed) {
        return "host " + quote(value) + " must be of the form namespace/dnsName";
      }
      return checkWildcardDomain(value);
    }
    var ns = value.substring(0, slash);
    var host = value.substring(slash + 1);
    if (host.indexOf('/') >= 0) {
      return "host " + quote(value) + " must be of the form namespace/dnsName";
    }
    if (!ns.equals(".") && !ns.equals("*") && !ns.equals("~") && !isDns1123Label(ns)) {
      return "namespace " + quote(ns) + " in host " + quote(value) + " must be '.', '*', '~' or a DNS-1123 label";
    }
    return checkWildcardDomain(host);
  }

  static boolean isIp(String s) {
    return isIpv4(s) || isIpv6(s);
  }

  static boolean isIpv4(String s) {
    var parts = s.split("\\.", -1);
    if (parts.length != 4) {
      return false;
    }
    for (var p : parts) {
      if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(Character::isDigit) || Integer.parseInt(p) > 255
          || (p.length() > 1 && p.charAt(0) == '0')) {
        return false;
      }
    }
    return true;
  }

  static boolean isIpv6(String s) {
    if (s.isEmpty() || s.indexOf(':') < 0 || s.indexOf('%') >= 0) {
      return false;
    }
    int dbl = s.indexOf("::");
    if (dbl >= 0 && s.indexOf("::", dbl + 1) >= 0) {
      return false;
    }
    String[] groups = s.split(":", -1);
    int count = 0;
    for (int i = 0; i < groups.length; i++) {
      var g = groups[i];
      if (g.isEmpty()) {
        continue;
      }
      if (i == groups.length - 1 && g.indexOf('.') >= 0) {
        if (!isIpv4(g)) {
          return false;
        }
        count += 2;
        continue;
      }
      if (g.length() > 4 || !g.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
        return false;
      }
      count++;
    }
    if (dbl < 0) {
      return count == 8 && !s.startsWith(":") && !s.endsWith(":");
    }
    if ((s.startsWith(":") && !s.startsWith("::")) || (s.endsWith(":") && !s.endsWith("::"))) {
      return false;
    }
    return count < 8;
  }

  /** An IP address or CIDR block ({@code 10.0.0.0/8}, {@code 2001:db8::/32}). */
  static boolean isIpOrCidr(String s) {
    int slash = s.indexOf('/');
    if (slash < 0) {
      return isIp(s);
    }
    var ip = s.substring(0, slash);
    var bits = s.substring(slash + 1);
    if (bits.isEmpty() || bits.length() > 3 || !bits.chars().allMatch(Character::isDigit)) {
      return false;
    }
    int n = Integer.parseInt(bits);
    return isIpv4(ip) ? n <= 32 : isIpv6(ip) && n <= 128;
  }

  /** Compiles a regex with RE2 (Envoy's engine); returns the syntax error or null. */
  static String regexError(String re) {
    try {
      Pattern.compile(re);
      return null;
    } catch (PatternSyntaxException e) {
      return "is not a valid RE2 regular expression: " + e.getDescription();
    }
  }

  /** An HTTP header name: a non-empty RFC 7230 token. */
  static boolean isHeaderName(String name) {
    return name != null && HEADER_NAME.matches(name);
  }

  static void checkHeaderNames(Validation v, FieldPath p, Iterable<String> names) {
    for (var n : names) {
      if (!isHeaderName(n)) {
        v.invalid(p, n, "header name must be a non-empty HTTP token (letters, digits and !#$%&'*+-.^_`|~)");
      }
    }
  }

  /** Header operations may not touch pseudo-headers, and may not set or remove Host (use rewrite.authority). */
  static void checkHeaderOperationName(Validation v, FieldPath p, String name, boolean removing) {
    if (name.isEmpty()) {
      v.invalid(p, name, "header name cannot be empty");
    } else if (name.startsWith(":")) {
      v.invalid(p, name, "HTTP/2 pseudo-headers cannot be modified");
    } else if (name.equalsIgnoreCase("host") && removing) {
      v.invalid(p, name, "the Host header cannot be removed");
    } else if (!isHeaderName(name)) {
      v.invalid(p, name, "header name must be an HTTP token (letters, digits and !#$%&'*+-.^_`|~)");
    }
  }

  /** Kubernetes label keys and values; Istio's selectors also forbid wildcards. */
  static void checkLabels(Validation v, FieldPath p, Map<String, String> labels, boolean selector) {
    for (var e : labels.entrySet()) {
      var key = e.getKey();
      var kp = p.key(key);
      if (selector && key.contains("*")) {
        v.invalid(kp, key, "wildcard not allowed in label key match");
        continue;
      }
      if (selector && e.getValue().contains("*")) {
        v.invalid(kp, e.getValue(), "wildcard is not supported in selector");
        continue;
      }
      String err = labelKeyError(key);
      if (err != null) {
        v.invalid(kp, key, err);
      } else if (e.getValue().length() > 63 || !LABEL_VALUE.matches(e.getValue())) {
        v.invalid(kp, e.getValue(), "a label value must be at most 63 characters: letters, digits, '-', '_' or '.', starting and ending with a letter or digit");
      }
    }
  }

  static String labelKeyError(String key) {
    var name = key;
    int slash = key.indexOf('/');
    if (slash >= 0) {
      var prefix = key.substring(0, slash);
      name = key.substring(slash + 1);
      if (prefix.isEmpty() || prefix.length() > 253 || checkDnsName(prefix, prefix) != null || !prefix.equals(prefix.toLowerCase(Locale.ROOT))) {
        return "a label key prefix must be a lowercase DNS subdomain";
      }
    }
    if (name.isEmpty() || name.length() > 63 || !QUALIFIED_NAME.matches(name)) {
      return "a label key must be at most 63 characters: letters, digits, '-', '_' or '.', starting and ending with a letter or digit";
    }
    return null;
  }

  /** exportTo: {@code .}, {@code *}, {@code ~} (alone) or namespaces, without duplicates. */
  static void checkExportTo(Validation v, List<String> exportTo) {
    var p = v.at("exportTo");
    var seen = new HashSet<String>();
    for (int i = 0; i < exportTo.size(); i++) {
      var e = exportTo.get(i);
      if (!seen.add(e)) {
        v.duplicate(p.index(i), e);
      } else if (!e.equals(".") && !e.equals("*") && !e.equals("~") && !isDns1123Label(e)) {
        v.invalid(p.index(i), e, "exportTo entries must be '.', '*', '~' or a namespace name");
      }
    }
    if (seen.contains("~") && exportTo.size() > 1) {
      v.invalid(p, exportTo, "'~' (export to nobody) cannot be combined with other exportTo entries");
    }
    if (seen.contains("*") && exportTo.size() > 1) {
      v.invalid(p, exportTo, "'*' (export to every namespace) cannot be combined with other exportTo entries");
    }
  }

  /** Istio's ValidateDuration: at least 1ms and whole milliseconds. */
  static void checkDuration(Validation v, String field, Duration d) {
    if (d == null) {
      return;
    }
    if (d.nanos() < 1_000_000L) {
      v.invalid(field, d.text(), "duration must be at least 1ms");
    } else if (d.nanos() % 1_000_000L != 0) {
      v.invalid(field, d.text(), "only durations to millisecond precision are supported");
    }
  }

  static void checkPercent(Validation v, FieldPath p, double value) {
    if (value < 0 || value > 100) {
      v.invalid(p, value, "percentage must be between 0 and 100");
    }
  }

  static boolean isProtocol(String protocol) {
    return PROTOCOLS.contains(protocol.toUpperCase(Locale.ROOT));
  }

  static void checkProtocol(Validation v, FieldPath p, String protocol) {
    if (protocol != null && !protocol.isEmpty() && !isProtocol(protocol)) {
      v.invalid(p, protocol, "unrecognized protocol; use one of HTTP, HTTPS, GRPC, GRPC-WEB, HTTP2, TCP, TLS, UDP, MONGO, REDIS, MYSQL");
    }
  }

  static boolean isPort(long n) {
    return n >= 1 && n <= 65535;
  }

  static String quote(String s) {
    return "\"" + s + "\"";
  }
}
