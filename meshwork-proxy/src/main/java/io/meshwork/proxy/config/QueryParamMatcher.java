package io.meshwork.proxy.config;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/** Envoy's {@code QueryParameterMatcher}: the first value of a query parameter, matched or present. */
public record QueryParamMatcher(String name, StringMatcher matcher) {
  public boolean matches(String query) {
    var value = firstValue(query, name);
    return matcher == null ? value != null : value != null && matcher.matches(value);
  }

  /** The decoded first value of {@code name} in a raw query string, "" for a bare key, null if absent. */
  public static String firstValue(String query, String name) {
    if (query == null || query.isEmpty()) {
      return null;
    }
    int start = 0;
    while (start <= query.length()) {
      int amp = query.indexOf('&', start);
      int end = amp < 0 ? query.length() : amp;
      int eq = query.indexOf('=', start);
      String key;
      String value;
      if (eq >= 0 && eq < end) {
        key = query.substring(start, eq);
        value = query.substring(eq + 1, end);
      } else {
        key = query.substring(start, end);
        value = "";
      }
      if (decode(key).equals(name)) {
        return decode(value);
      }
      if (amp < 0) {
        break;
      }
      start = amp + 1;
    }
    return null;
  }

  private static String decode(String s) {
    try {
      return s.indexOf('%') < 0 && s.indexOf('+') < 0 ? s : URLDecoder.decode(s, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return s;
    }
  }
}
