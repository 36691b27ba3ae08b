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
 * Checks shared by several networking kinds: the istiod webhook's label, header, regex,
 * exportTo, duration, percentage, protocol and port rules, kept in one place so every kind
 * applies and words them the same way. Host and address rules are in {@link HostRules}.
 */
final class NetRules {
  private static final Pattern QUALIFIED_NAME = Pattern.compile("([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]");
  private static final Pattern LABEL_VALUE = Pattern.compile("(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?");
  /** Istio's header names: letters, digits, '-' and '_'. */
  private static final Pattern HEADER_NAME = Pattern.compile("[-_A-Za-z0-9]+");
  /** Envoy's header value commands: {@code %NAME%}, {@code %NAME(args)%}, optionally {@code :len}. */
  private static final Pattern HEADER_COMMAND = Pattern.compile("%[A-Z][A-Z0-9_]*(\\([^%]*\\))?(:[0-9]+)?%");
  private static final Set<String> PROTOCOLS = Set.of("http", "https", "grpc", "grpc-web", "http2", "mongo", "redis",
      "mysql", "tcp", "tls", "udp", "http_proxy", "thrift", "hbone");
  private static final Set<String> HTTP_PROTOCOLS = Set.of("http", "http2", "grpc", "grpc-web", "http_proxy");

  private NetRules() {}

  // ------------------------------------------------------------------ regexes, headers

  /** Compiles a regex with RE2 (Envoy's engine) as Istio does; returns the problem or null. */
  static String regexError(String re) {
    if (re.length() > 1024) {
      return "regex is too large, max length allowed is 1024";
    }
    try {
      Pattern.compile(re);
      return null;
    } catch (PatternSyntaxException e) {
      return "is not a valid RE2 regular expression (" + e.getDescription()
          + "); Istio uses RE2 style regex-based match (https://github.com/google/re2/wiki/Syntax)";
    }
  }

  /** Istio's header names in matches, CORS and probes: letters, digits, '-' and '_'. */
  static boolean isHeaderName(String name) {
    return name != null && HEADER_NAME.matches(name);
  }

  static String headerNameError(String name) {
    if (name.isEmpty()) {
      return "header name cannot be empty";
    }
    return isHeaderName(name) ? null : "header name " + name + " is not a valid header name";
  }

  /** Header operations that add or set request headers: no pseudo-headers except {@code :authority} (and Host). */
  static String requestSetHeaderError(String name) {
    if (name.isEmpty()) {
      return "header name cannot be empty";
    }
    if (name.startsWith(":") && !isAuthorityHeader(name)) {
      return "invalid header " + quoteJava(name) + ": header cannot have \":\" prefix";
    }
    return null;
  }

  /** Header operations that remove request headers or change response headers: neither Host nor pseudo-headers. */
  static String headerOperationError(String name) {
    if (name.isEmpty()) {
      return "header name cannot be empty";
    }
    if (name.equalsIgnoreCase("host")) {
      return "invalid header " + quoteJava(name) + ": cannot set Host header";
    }
    if (name.startsWith(":")) {
      return "invalid header " + quoteJava(name) + ": header cannot have \":\" prefix";
    }
    return null;
  }

  static boolean isAuthorityHeader(String name) {
    return name.equalsIgnoreCase(":authority") || name.equalsIgnoreCase("host");
  }

  /**
   * A header value Envoy accepts: no control characters (tab allowed), and every {@code %} either
   * doubled ({@code %%}) or opening a command such as {@code %HOSTNAME%} or {@code %REQ(x-id)%}.
   */
  static String headerValueError(String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if ((c < 0x20 && c != '\t') || c == 0x7f) {
        return "header value configuration " + value + " is invalid: it contains control characters";
      }
    }
    int i = 0;
    while (i < value.length()) {
      int pct = value.indexOf('%', i);
      if (pct < 0) {
        break;
      }
      if (pct + 1 < value.length() && value.charAt(pct + 1) == '%') {
        i = pct + 2;
        continue;
      }
      var m = HEADER_COMMAND.matcher(value.substring(pct));
      if (!m.lookingAt()) {
        return "header value configuration: invalid header value " + quoteJava(value)
            + ": a % must start a command such as %HOSTNAME% or be doubled as %%";
      }
      i = pct + m.end();
    }
    return null;
  }

  /** Checks a Headers block the way Istio does for routes and route destinations. */
  static void checkHeaders(Validation v, FieldPath p, Headers headers) {
    if (headers == null) {
      return;
    }
    if (headers.request() != null) {
      var rp = p.child("request");
      checkOps(v, rp.child("set"), headers.request().set(), true);
      checkOps(v, rp.child("add"), headers.request().add(), true);
      checkRemove(v, rp.child("remove"), headers.request().remove());
    }
    if (headers.response() != null) {
      var rp = p.child("response");
      checkOps(v, rp.child("set"), headers.response().set(), false);
      checkOps(v, rp.child("add"), headers.response().add(), false);
      checkRemove(v, rp.child("remove"), headers.response().remove());
    }
  }

  private static void checkOps(Validation v, FieldPath p, Map<String, String> ops, boolean request) {
    for (var e : ops.entrySet()) {
      var err = request ? requestSetHeaderError(e.getKey()) : headerOperationError(e.getKey());
      if (err != null) {
        v.invalid(p.key(e.getKey()), e.getKey(), err);
      }
      var verr = headerValueError(e.getValue());
      if (verr != null) {
        v.invalid(p.key(e.getKey()), e.getValue(), verr);
      }
    }
  }

  private static void checkRemove(Validation v, FieldPath p, List<String> names) {
    for (int i = 0; i < names.size(); i++) {
      var err = headerOperationError(names.get(i));
      if (err != null) {
        v.invalid(p.index(i), names.get(i), err);
      }
    }
  }

  // ------------------------------------------------------------------ labels, selectors, exportTo

  /** Kubernetes label keys and values (Istio's labels.Instance.Validate). */
  static void checkLabels(Validation v, FieldPath p, Map<String, String> labels) {
    for (var e : labels.entrySet()) {
      var kp = p.key(e.getKey());
      String err = labelKeyError(e.getKey());
      if (err != null) {
        v.invalid(kp, e.getKey(), err);
      } else if (e.getValue().length() > 63 || !LABEL_VALUE.matches(e.getValue())) {
        v.invalid(kp, e.getValue(), "invalid label value: at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit");
      }
    }
  }

  /** Selector labels: no empty keys and no wildcards in keys or values (CRD and webhook rules). */
  static void checkSelectorLabels(Validation v, FieldPath p, Map<String, String> labels) {
    for (var e : labels.entrySet()) {
      var kp = p.key(e.getKey());
      if (e.getKey().isEmpty()) {
        v.invalid(kp, "", "empty key is not supported in selector");
      } else if (e.getKey().contains("*")) {
        v.invalid(kp, e.getKey(), "wildcard not allowed in label key match");
      } else if (e.getValue().contains("*")) {
        v.invalid(kp, e.getValue(), "wildcard is not supported in selector");
      }
    }
  }

  static String labelKeyError(String key) {
    var name = key;
    int slash = key.indexOf('/');
    if (slash >= 0) {
      var prefix = key.substring(0, slash);
      name = key.substring(slash + 1);
      if (prefix.isEmpty() || prefix.length() > 253 || HostRules.checkFqdn(prefix) != null || !prefix.equals(prefix.toLowerCase(Locale.ROOT))) {
        return "invalid label key: the prefix before '/' must be a lowercase DNS subdomain";
      }
    }
    if (name.isEmpty() || name.length() > 63 || !QUALIFIED_NAME.matches(name)) {
      return "invalid label key: at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit";
    }
    return null;
  }

  /**
   * Istio's validateExportTo: {@code .}, {@code *} or namespaces ({@code ~} too for
   * ServiceEntries), no duplicates ({@code .} counts as the resource's namespace), {@code *} and
   * {@code ~} alone, and a DestinationRule with a workload selector exported only to its own namespace.
   */
  static void checkExportTo(Validation v, List<String> exportTo, boolean serviceEntry, boolean drWithSelector) {
    if (exportTo.isEmpty()) {
      return;
    }
    var p = v.at("exportTo");
    var ns = v.namespace();
    var seen = new HashSet<String>();
    for (int i = 0; i < exportTo.size(); i++) {
      var e = exportTo.get(i);
      var key = e.equals(".") && ns != null ? ns : e;
      if (seen.contains(key)) {
        v.invalid(p.index(i), e, key.equals(e)
            ? "duplicate entries in exportTo for entry " + e
            : "duplicate entries in exportTo: . and current namespace " + ns);
      } else if (e.equals("~") && !serviceEntry) {
        v.invalid(p.index(i), e, "exportTo '~' (export to no one) is only allowed for ServiceEntries");
      } else if (!e.equals(".") && !e.equals("*") && !e.equals("~") && !HostRules.isDns1123Label(e)) {
        v.invalid(p.index(i), e, "exportTo entries must be '.', '*' or a namespace name");
      } else {
        seen.add(key);
      }
    }
    if (drWithSelector) {
      var own = ns != null ? ns : ".";
      if (!seen.contains(own)) {
        v.invalid(p, exportTo, "destination rule with workload selector cannot have exportTo beyond current namespace");
      } else if (seen.size() > 1) {
        v.invalid(p, exportTo, "destination rule with workload selector cannot have multiple entries in exportTo");
      }
    }
    if (seen.contains("*") && exportTo.size() > 1) {
      v.invalid(p, exportTo, "cannot have both public (*) and non-public exportTo values for a resource");
    }
    if (seen.contains("~") && exportTo.size() > 1) {
      v.invalid(p, exportTo, "cannot export service entry to no one (~) and someone");
    }
  }

  // ------------------------------------------------------------------ numbers, durations, protocols

  /** Istio's ValidateDuration: at least 1ms and whole milliseconds. */
  static void checkDuration(Validation v, String field, Duration d) {
    if (d == null) {
      return;
    }
    if (d.nanos() < 1_000_000L) {
      v.invalid(field, d.text(), "duration must be greater than 1ms");
    } else if (d.nanos() % 1_000_000L != 0) {
      v.invalid(field, d.text(), "only durations to ms precision are supported");
    }
  }

  /** Istio's ValidatePercent for integer percentages. */
  static void checkIntPercent(Validation v, FieldPath p, Integer value) {
    if (value != null && (value < 0 || value > 100)) {
      v.invalid(p, value, "percentage " + value + " is not in range 0..100");
    }
  }

  /** Istio's validatePercentage for fault injection: 0, or from 0.0001 to 100. */
  static void checkFaultPercentage(Validation v, FieldPath p, Percent percentage) {
    if (percentage == null) {
      return;
    }
    double value = percentage.value();
    if (value < 0.0 || value > 100.0 || (value > 0.0 && value < 0.0001)) {
      v.invalid(p.child("value"), value, "percentage " + Double.toString(value).replaceAll("\\.0$", "")
          + " is neither 0.0, nor in range [0.0001, 100.0]");
    }
  }

  static boolean isProtocol(String protocol) {
    return PROTOCOLS.contains(protocol.toLowerCase(Locale.ROOT));
  }

  static boolean isHttpProtocol(String protocol) {
    return protocol != null && HTTP_PROTOCOLS.contains(protocol.toLowerCase(Locale.ROOT));
  }

  static boolean isTlsProtocol(String protocol) {
    return protocol != null && (protocol.equalsIgnoreCase("https") || protocol.equalsIgnoreCase("tls"));
  }

  /** Istio's ValidateProtocol: empty (sniffed) or a known protocol, any case. */
  static void checkProtocol(Validation v, FieldPath p, String protocol) {
    if (protocol != null && !protocol.isEmpty() && !isProtocol(protocol)) {
      v.invalid(p, protocol, "unsupported protocol: " + protocol + "; use one of HTTP, HTTPS, GRPC, GRPC-WEB, HTTP2, TCP, TLS, UDP, MONGO, REDIS, MYSQL");
    }
  }

  /** Istio's ValidatePortName. */
  static void checkPortName(Validation v, FieldPath p, String name) {
    if (!HostRules.isDns1123Label(name)) {
      v.invalid(p, name, "invalid port name: " + name);
    }
  }

  static boolean isPort(long n) {
    return n >= 1 && n <= 65535;
  }

  static void checkPort(Validation v, FieldPath p, long n) {
    if (!isPort(n)) {
      v.invalid(p, n, "port number " + n + " must be in the range 1..65535");
    }
  }

  static String quote(String s) {
    return "\"" + s + "\"";
  }

  private static String quoteJava(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  /**
   * Route weights: Istio rejects an all-zero total with several destinations and otherwise treats
   * weights as relative shares; its API asks for a sum of 100, so any other sum is a warning.
   */
  static void checkWeights(Validation v, int destinations, long sum) {
    if (destinations < 2) {
      return;
    }
    if (sum == 0) {
      v.invalid("route", new Object(), "total destination weight = 0");
    } else if (sum != 100) {
      v.warn(v.at("route"), "destination weights add up to " + sum + ", not 100; they are used as relative shares");
    }
  }
}
