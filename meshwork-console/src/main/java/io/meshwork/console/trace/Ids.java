package io.meshwork.console.trace;

import java.util.HexFormat;
import java.util.Locale;

/**
 * Trace and span id spelling. A 128-bit trace id whose high half is zero is the same trace as its
 * 64-bit low half (Zipkin clients send either), so both are stored as the 16-char form.
 */
public final class Ids {
  private static final HexFormat HEX = HexFormat.of();

  private Ids() {}

  /** Lowercase hex, left-padded to 16 chars, with an all-zero high half dropped. */
  public static String normalize(String id) {
    if (id == null) {
      return null;
    }
    String s = id.toLowerCase(Locale.ROOT);
    if (s.length() < 16) {
      s = "0".repeat(16 - s.length()) + s;
    } else if (s.length() > 16 && s.length() < 32) {
      s = "0".repeat(32 - s.length()) + s;
    }
    if (s.length() == 32 && s.startsWith("0000000000000000")) {
      s = s.substring(16);
    }
    return s;
  }

  /** Hex of raw id bytes (OTLP protobuf carries ids as bytes). */
  public static String hex(byte[] bytes) {
    return HEX.formatHex(bytes);
  }

  /** Hex of {@code bytes[from, to)}, read in place from a request body. */
  public static String hex(byte[] bytes, int from, int to) {
    return HEX.formatHex(bytes, from, to);
  }

  /** True for an id of zeros only (no parent); a plain loop, as it runs for every span. */
  public static boolean isZero(String id) {
    for (int i = 0; i < id.length(); i++) {
      if (id.charAt(i) != '0') {
        return false;
      }
    }
    return true;
  }
}
