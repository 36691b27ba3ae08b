package io.meshwork.proxy.tracing;

import java.util.concurrent.ThreadLocalRandom;

/** Trace and span ids: random, non-zero, lower-case hex, and the checks for ids read from headers. */
final class Ids {
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private Ids() {}

  static String newSpanId() {
    long v;
    do {
      v = ThreadLocalRandom.current().nextLong();
    } while (v == 0);
    return hex(v);
  }

  static String newTraceId() {
    var r = ThreadLocalRandom.current();
    long hi;
    long lo;
    do {
      hi = r.nextLong();
      lo = r.nextLong();
    } while (hi == 0 && lo == 0);
    return hex(hi) + hex(lo);
  }

  static String hex(long v) {
    var c = new char[16];
    for (int i = 15; i >= 0; i--) {
      c[i] = HEX[(int) (v & 0xF)];
      v >>>= 4;
    }
    return new String(c);
  }

  /** True for exactly {@code length} hex digits (either case) that are not all zero. */
  static boolean isId(String s, int length) {
    if (s == null || s.length() != length) {
      return false;
    }
    boolean nonZero = false;
    for (int i = 0; i < length; i++) {
      char c = s.charAt(i);
      boolean hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
      if (!hex) {
        return false;
      }
      nonZero |= c != '0';
    }
    return nonZero;
  }

  /** A B3 trace id (16 or 32 hex digits) as 32 lower-case digits, or null when invalid. */
  static String traceId(String s) {
    if (isId(s, 32)) {
      return s.toLowerCase(java.util.Locale.ROOT);
    }
    if (isId(s, 16)) {
      return "0000000000000000" + s.toLowerCase(java.util.Locale.ROOT);
    }
    return null;
  }

  /** A span id as 16 lower-case digits, or null when invalid. */
  static String spanId(String s) {
    return isId(s, 16) ? s.toLowerCase(java.util.Locale.ROOT) : null;
  }
}
