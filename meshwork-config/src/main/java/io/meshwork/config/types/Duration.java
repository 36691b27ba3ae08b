package io.meshwork.config.types;

/**
 * A duration as Istio configuration writes it: Go's {@code time.ParseDuration} syntax
 * ({@code 300ms}, {@code 1.5s}, {@code 1h2m}, {@code 10us}), which includes protobuf JSON's
 * {@code "1.5s"} form. Kept with the text the user wrote so that it prints back unchanged.
 */
public record Duration(long nanos, String text) implements Comparable<Duration> {

  public static final Duration ZERO = new Duration(0, "0s");

  /** Parses {@code text}; throws {@link IllegalArgumentException} with a short reason when it is not a duration. */
  public static Duration parse(String text) {
    return new Duration(parseNanos(text), text);
  }

  public static Duration ofMillis(long millis) {
    return new Duration(millis * 1_000_000L, millis + "ms");
  }

  public static Duration ofSeconds(long seconds) {
    return new Duration(seconds * 1_000_000_000L, seconds + "s");
  }

  public long toMillis() {
    return nanos / 1_000_000L;
  }

  public java.time.Duration toJava() {
    return java.time.Duration.ofNanos(nanos);
  }

  @Override
  public int compareTo(Duration o) {
    return Long.compare(nanos, o.nanos);
  }

  @Override
  public String toString() {
    return text;
  }

  private static long parseNanos(String s) {
    if (s == null || s.isEmpty()) {
      throw new IllegalArgumentException("empty duration");
    }
    int i = 0;
    boolean negative = false;
    if (s.charAt(0) == '-' || s.charAt(0) == '+') {
      negative = s.charAt(0) == '-';
      i++;
    }
    if (s.substring(i).equals("0")) {
      return 0;
    }
    if (i == s.length()) {
      throw new IllegalArgumentException("no number");
    }
    double total = 0;
    while (i < s.length()) {
      int start = i;
      while (i < s.length() && (Character.isDigit(s.charAt(i)) || s.charAt(i) == '.')) {
        i++;
      }
      if (start == i) {
        throw new IllegalArgumentException("expected a number at position " + start);
      }
      double number;
      try {
        number = Double.parseDouble(s.substring(start, i));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("bad number " + s.substring(start, i));
      }
      int unitStart = i;
      while (i < s.length() && !Character.isDigit(s.charAt(i)) && s.charAt(i) != '.') {
        i++;
      }
      String unit = s.substring(unitStart, i);
      double scale = switch (unit) {
        case "ns" -> 1;
        case "us", "\u00b5s", "\u03bcs" -> 1e3;
        case "ms" -> 1e6;
        case "s" -> 1e9;
        case "m" -> 60e9;
        case "h" -> 3600e9;
        case "" -> throw new IllegalArgumentException("missing unit (use ms, s, m or h)");
        default -> throw new IllegalArgumentException("unknown unit " + unit);
      };
      total += number * scale;
      if (total > Long.MAX_VALUE) {
        throw new IllegalArgumentException("too large");
      }
    }
    long nanos = Math.round(total);
    return negative ? -nanos : nanos;
  }
}
