package io.meshwork.config.types;

/**
 * RFC 1123 name checks, written out by hand: they run for every name and host of every document,
 * where a regex engine costs more than the rest of the check.
 */
public final class Dns {
  private Dns() {}

  /** A label: 1-63 letters, digits and '-', starting and ending with a letter or digit. */
  public static boolean isLabel(String s, boolean allowUpper) {
    int n = s == null ? 0 : s.length();
    if (n == 0 || n > 63) {
      return false;
    }
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      boolean alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (allowUpper && c >= 'A' && c <= 'Z');
      if (!alnum && (c != '-' || i == 0 || i == n - 1)) {
        return false;
      }
    }
    return true;
  }

  /** A subdomain: lowercase labels joined by dots, at most 253 characters. */
  public static boolean isSubdomain(String s) {
    if (s == null || s.isEmpty() || s.length() > 253) {
      return false;
    }
    int start = 0;
    while (true) {
      int dot = s.indexOf('.', start);
      var label = s.substring(start, dot < 0 ? s.length() : dot);
      if (!isLabel(label, false)) {
        return false;
      }
      if (dot < 0) {
        return true;
      }
      start = dot + 1;
    }
  }
}
