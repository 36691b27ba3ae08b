package io.meshwork.proxy.capture;

import java.util.ArrayList;
import java.util.List;

/**
 * IPv4 address ranges written the way istio-iptables takes them: {@code *} for every address, an
 * empty string for none, or a comma-separated list of CIDRs ({@code 10.0.0.0/8}; a bare address
 * means {@code /32}).
 *
 * @param all every address (the list is then empty)
 * @param cidrs normalised {@code a.b.c.d/n} strings, in the order given
 */
public record CidrSelection(boolean all, List<String> cidrs) {
  public static final CidrSelection ALL = new CidrSelection(true, List.of());
  public static final CidrSelection NONE = new CidrSelection(false, List.of());

  public CidrSelection {
    cidrs = List.copyOf(cidrs);
    if (all && !cidrs.isEmpty()) {
      throw new IllegalArgumentException("a CIDR selection is either * or a list, not both");
    }
  }

  public static CidrSelection parse(String option, String text) {
    var t = text == null ? "" : text.strip();
    if (t.equals("*")) {
      return ALL;
    }
    return new CidrSelection(false, parseList(option, t));
  }

  /** Parses and normalises a comma-separated CIDR list; empty text is an empty list. */
  public static List<String> parseList(String option, String text) {
    var out = new ArrayList<String>();
    if (text == null || text.isBlank()) {
      return out;
    }
    for (var part : text.split(",")) {
      var c = part.strip();
      if (c.isEmpty()) {
        continue;
      }
      var n = normalise(option, c);
      if (!out.contains(n)) {
        out.add(n);
      }
    }
    return out;
  }

  private static String normalise(String option, String cidr) {
    var slash = cidr.indexOf('/');
    var addr = slash < 0 ? cidr : cidr.substring(0, slash);
    int bits = 32;
    var octets = addr.split("\\.", -1);
    boolean ok = octets.length == 4;
    for (int i = 0; ok && i < 4; i++) {
      ok = octets[i].matches("\\d{1,3}") && Integer.parseInt(octets[i]) <= 255;
    }
    if (ok && slash >= 0) {
      var b = cidr.substring(slash + 1);
      ok = b.matches("\\d{1,2}") && Integer.parseInt(b) <= 32;
      if (ok) {
        bits = Integer.parseInt(b);
      }
    }
    if (!ok) {
      throw new IllegalArgumentException(option + ": '" + cidr + "' is not an IPv4 CIDR; write it like 10.96.0.0/12");
    }
    return addr + "/" + bits;
  }
}
