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

  static boolean isZero(String id) {
    return id.chars().allMatch(c -> c == '0');
  }
}
