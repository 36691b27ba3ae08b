package io.meshwork.security.jwt;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The parts of an HTTP request a token can hide in.
 *
 * @param headers by lower-case name
 * @param pathAndQuery the request target, query included
 */
public record JwtRequest(Map<String, List<String>> headers, String pathAndQuery) {
  /** The first value of a header, or null. */
  String header(String name) {
    var v = headers.get(name.toLowerCase(Locale.ROOT));
    return v == null || v.isEmpty() ? null : v.getFirst();
  }

  /** The decoded values of query parameter {@code name}. */
  List<String> param(String name) {
    var out = new ArrayList<String>();
    int q = pathAndQuery == null ? -1 : pathAndQuery.indexOf('?');
    if (q < 0) {
      return out;
    }
    var query = pathAndQuery.substring(q + 1);
    int hash = query.indexOf('#');
    if (hash >= 0) {
      query = query.substring(0, hash);
    }
    for (var pair : query.split("&")) {
      int eq = pair.indexOf('=');
      var k = eq < 0 ? pair : pair.substring(0, eq);
      if (decode(k).equals(name) && eq >= 0) {
        out.add(decode(pair.substring(eq + 1)));
      }
    }
    return out;
  }

  /** The value of cookie {@code name} across all Cookie headers, or null. */
  String cookie(String name) {
    var all = headers.get("cookie");
    if (all == null) {
      return null;
    }
    for (var line : all) {
      for (var part : line.split(";")) {
        var p = part.strip();
        int eq = p.indexOf('=');
        if (eq > 0 && p.substring(0, eq).equals(name)) {
          var v = p.substring(eq + 1);
          return v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"") ? v.substring(1, v.length() - 1) : v;
        }
      }
    }
    return null;
  }

  private static String decode(String s) {
    try {
      return URLDecoder.decode(s, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return s;
    }
  }
}
