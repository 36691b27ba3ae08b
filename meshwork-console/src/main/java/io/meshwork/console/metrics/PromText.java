package io.meshwork.console.metrics;

import java.util.Map;
import java.util.TreeMap;

/**
 * A parser for the Prometheus text exposition format (version 0.0.4): comment and blank lines are
 * skipped, label values are unescaped ({@code \\}, {@code \"}, {@code \n}), and the optional
 * timestamp is ignored in favour of the scrape time, as Prometheus does for a fresh scrape.
 */
public final class PromText {
  /** Receives one parsed sample. */
  public interface Sink {
    void sample(String name, Map<String, String> labels, double value);
  }

  private PromText() {}

  /** Parses every sample line; a malformed line throws with its line number. */
  public static void parse(String text, Sink sink) {
    int lineNo = 0;
    for (String line : text.split("\n")) {
      lineNo++;
      line = line.strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      try {
        parseLine(line, sink);
      } catch (RuntimeException e) {
        throw new IllegalArgumentException("line " + lineNo + " is not Prometheus text format: " + e.getMessage(), e);
      }
    }
  }

  private static void parseLine(String line, Sink sink) {
    int i = 0;
    while (i < line.length() && line.charAt(i) != '{' && line.charAt(i) != ' ' && line.charAt(i) != '\t') {
      i++;
    }
    String name = line.substring(0, i);
    var labels = new TreeMap<String, String>();
    if (i < line.length() && line.charAt(i) == '{') {
      i++;
      while (true) {
        while (line.charAt(i) == ' ' || line.charAt(i) == ',') {
          i++;
        }
        if (line.charAt(i) == '}') {
          i++;
          break;
        }
        int eq = line.indexOf('=', i);
        String key = line.substring(i, eq).strip();
        i = eq + 1;
        if (line.charAt(i) != '"') {
          throw new IllegalArgumentException("label " + key + " has no quoted value");
        }
        i++;
        var v = new StringBuilder();
        while (line.charAt(i) != '"') {
          char c = line.charAt(i++);
          if (c == '\\') {
            char n = line.charAt(i++);
            v.append(n == 'n' ? '\n' : n);
          } else {
            v.append(c);
          }
        }
        i++;
        labels.put(key, v.toString());
      }
    }
    String[] rest = line.substring(i).strip().split("\\s+");
    sink.sample(name, labels, value(rest[0]));
  }

  private static double value(String s) {
    return switch (s) {
      case "+Inf", "Inf" -> Double.POSITIVE_INFINITY;
      case "-Inf" -> Double.NEGATIVE_INFINITY;
      case "NaN" -> Double.NaN;
      default -> Double.parseDouble(s);
    };
  }
}
