package io.meshwork.proxy.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * An Envoy access log format string parsed once at configuration time: literal text and command
 * operators such as {@code %RESPONSE_CODE%}, {@code %REQ(X-ENVOY-ORIGINAL-PATH?:PATH):64%} or
 * {@code %START_TIME%}. Unknown operators are rejected with the operator's name, so a typo does not
 * silently print nothing.
 */
public record LogTemplate(List<Part> parts) {
  /** A piece of the format: literal text or an operator. */
  public sealed interface Part {}

  public record Literal(String text) implements Part {}

  /**
   * {@code %NAME(arg?alt):max%}: {@code arg}/{@code alt} are header names (lower-case) for REQ/RESP,
   * {@code max} the length limit (-1: none).
   */
  public record Operator(String name, String arg, String alt, int maxLength) implements Part {}

  static final Set<String> OPERATORS = Set.of("START_TIME", "REQ", "RESP", "RESPONSE_CODE", "RESPONSE_FLAGS",
      "RESPONSE_CODE_DETAILS", "CONNECTION_TERMINATION_DETAILS", "BYTES_RECEIVED", "BYTES_SENT", "DURATION", "PROTOCOL",
      "UPSTREAM_HOST", "UPSTREAM_CLUSTER", "UPSTREAM_LOCAL_ADDRESS", "UPSTREAM_TRANSPORT_FAILURE_REASON",
      "DOWNSTREAM_REMOTE_ADDRESS", "DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT", "DOWNSTREAM_LOCAL_ADDRESS",
      "DOWNSTREAM_LOCAL_ADDRESS_WITHOUT_PORT", "ROUTE_NAME", "REQUESTED_SERVER_NAME", "HOSTNAME",
      "UPSTREAM_SERVICE_TIME", "RESPONSE_DURATION", "DOWNSTREAM_PEER_URI_SAN", "DOWNSTREAM_TLS_VERSION");

  /** Parses {@code format}; {@code path} names the field in errors. */
  public static LogTemplate parse(String format, String path) throws ConfigException {
    var parts = new ArrayList<Part>();
    var text = new StringBuilder();
    int i = 0;
    while (i < format.length()) {
      char c = format.charAt(i);
      if (c != '%') {
        text.append(c);
        i++;
        continue;
      }
      if (i + 1 < format.length() && format.charAt(i + 1) == '%') {
        text.append('%');
        i += 2;
        continue;
      }
      int end = findEnd(format, i + 1);
      if (end < 0) {
        throw new ConfigException(path, "unterminated command operator at offset " + i + " (\"" + format.substring(i) + "\")");
      }
      if (!text.isEmpty()) {
        parts.add(new Literal(text.toString()));
        text.setLength(0);
      }
      parts.add(operator(format.substring(i + 1, end), path));
      i = end + 1;
    }
    if (!text.isEmpty()) {
      parts.add(new Literal(text.toString()));
    }
    return new LogTemplate(List.copyOf(parts));
  }

  /** The closing '%', skipping the parenthesised argument (which may contain '%' in START_TIME formats). */
  private static int findEnd(String s, int from) {
    int depth = 0;
    for (int j = from; j < s.length(); j++) {
      char c = s.charAt(j);
      if (c == '(') {
        depth++;
      } else if (c == ')') {
        depth--;
      } else if (c == '%' && depth == 0) {
        return j;
      }
    }
    return -1;
  }

  private static Operator operator(String body, String path) throws ConfigException {
    String name = body;
    String arg = null;
    String alt = null;
    int max = -1;
    int open = body.indexOf('(');
    if (open >= 0) {
      int close = body.lastIndexOf(')');
      if (close < open) {
        throw new ConfigException(path, "operator %" + body + "% has an unclosed '('");
      }
      name = body.substring(0, open);
      var inner = body.substring(open + 1, close);
      var rest = body.substring(close + 1);
      if (rest.startsWith(":")) {
        max = parseMax(rest.substring(1), body, path);
      } else if (!rest.isEmpty()) {
        throw new ConfigException(path, "operator %" + body + "% has unexpected text after ')'");
      }
      int q = inner.indexOf('?');
      arg = (q >= 0 ? inner.substring(0, q) : inner).toLowerCase(java.util.Locale.ROOT);
      alt = q >= 0 ? inner.substring(q + 1).toLowerCase(java.util.Locale.ROOT) : null;
      if (name.equals("START_TIME")) {
        arg = inner; // a strftime-like pattern; kept as written
        alt = null;
      }
    } else if (body.indexOf(':') > 0) {
      name = body.substring(0, body.indexOf(':'));
      max = parseMax(body.substring(body.indexOf(':') + 1), body, path);
    }
    if (!OPERATORS.contains(name)) {
      throw new ConfigException(path, "command operator %" + name + "% is not supported (supported: "
          + String.join(", ", new java.util.TreeSet<>(OPERATORS)) + ")");
    }
    if ((name.equals("REQ") || name.equals("RESP")) && (arg == null || arg.isEmpty())) {
      throw new ConfigException(path, "%" + name + "(...)% needs a header name");
    }
    return new Operator(name, arg, alt, max);
  }

  private static int parseMax(String s, String body, String path) throws ConfigException {
    try {
      return Integer.parseInt(s);
    } catch (NumberFormatException e) {
      throw new ConfigException(path, "operator %" + body + "%: the length limit must be a number");
    }
  }
}
