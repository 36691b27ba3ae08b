package io.meshwork.console.jaeger;

import java.util.regex.Pattern;

/**
 * Parses the duration strings Jaeger's API accepts (Go syntax: {@code 1.5s}, {@code 100ms},
 * {@code 250us}, {@code 2m}, {@code 1h}; lookback also allows {@code d}) into microseconds.
 */
public final class Durations {
  private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ns|us|µs|ms|s|m|h|d)");

  private Durations() {}

  /** Microseconds, or throws IllegalArgumentException naming the parameter. */
  public static long micros(String param, String value) {
    var m = PART.matcher(value.trim());
    double total = 0;
    int end = 0;
    while (m.find()) {
      if (m.start() != end) {
        break;
      }
      double n = Double.parseDouble(m.group(1));
      total += n * switch (m.group(2)) {
        case "ns" -> 0.001;
        case "us", "µs" -> 1;
        case "ms" -> 1_000;
        case "s" -> 1_000_000;
        case "m" -> 60_000_000;
        case "h" -> 3_600_000_000.0;
        default -> 86_400_000_000.0;
      };
      end = m.end();
    }
    if (end == 0 || end != value.trim().length()) {
      throw new IllegalArgumentException("parameter " + param + "=" + value + " is not a duration; use e.g. 100ms, 1.5s or 1h");
    }
    return (long) total;
  }
}
