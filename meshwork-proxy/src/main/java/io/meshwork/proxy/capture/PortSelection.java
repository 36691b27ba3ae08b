package io.meshwork.proxy.capture;

import java.util.ArrayList;
import java.util.List;

/**
 * A set of TCP ports written the way istio-iptables takes them: {@code *} for every port, an empty
 * string for none, or a comma-separated list.
 *
 * @param all every port (the list is then empty)
 * @param ports the listed ports, in the order given, without duplicates
 */
public record PortSelection(boolean all, List<Integer> ports) {
  public static final PortSelection ALL = new PortSelection(true, List.of());
  public static final PortSelection NONE = new PortSelection(false, List.of());

  public PortSelection {
    ports = List.copyOf(ports);
    if (all && !ports.isEmpty()) {
      throw new IllegalArgumentException("a port selection is either * or a list, not both");
    }
  }

  public static PortSelection of(Integer... ports) {
    return new PortSelection(false, List.of(ports));
  }

  /** Whether nothing is selected (inbound capture is then off). */
  public boolean none() {
    return !all && ports.isEmpty();
  }

  /**
   * Parses {@code *}, {@code ""} or {@code 9080,9090}; {@code option} names the flag in the error,
   * which says what to write instead.
   */
  public static PortSelection parse(String option, String text) {
    var t = text == null ? "" : text.strip();
    if (t.equals("*")) {
      return ALL;
    }
    return new PortSelection(false, parseList(option, t));
  }

  /** Parses a comma-separated port list; empty text is an empty list. */
  public static List<Integer> parseList(String option, String text) {
    var out = new ArrayList<Integer>();
    if (text == null || text.isBlank()) {
      return out;
    }
    for (var part : text.split(",")) {
      var p = part.strip();
      if (p.isEmpty()) {
        continue;
      }
      int port;
      try {
        port = Integer.parseInt(p);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(option + ": '" + p + "' is not a port; write numbers 1-65535 separated by commas");
      }
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException(option + ": port " + port + " is out of range; use 1-65535");
      }
      if (!out.contains(port)) {
        out.add(port);
      }
    }
    return out;
  }
}
