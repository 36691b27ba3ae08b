package io.meshwork.proxy.capture;

import java.util.List;

/**
 * The capture rules for one configuration, in the form they are applied: one iptables-restore
 * section per table (applied with {@code --noflush}, so other rules in the namespace survive), plus
 * the {@code ip} commands of TPROXY mode's policy routing.
 *
 * @param tables the tables touched, in application order
 * @param routing argument lists for {@code ip} (without the leading {@code ip}), empty in REDIRECT
 *     mode
 * @param config the configuration this plan was generated from
 */
public record CapturePlan(List<Table> tables, List<List<String>> routing, CaptureConfig config) {

  public CapturePlan {
    tables = List.copyOf(tables);
    routing = routing.stream().map(List::copyOf).toList();
  }

  /**
   * One table's part of the plan.
   *
   * @param name {@code nat} or {@code mangle}
   * @param chains the chains this plan creates (all named {@code ISTIO_*})
   * @param rules {@code -A CHAIN ...} lines, hooks into built-in chains included
   */
  public record Table(String name, List<String> chains, List<String> rules) {
    public Table {
      chains = List.copyOf(chains);
      rules = List.copyOf(rules);
    }
  }

  /** The iptables-restore input ({@code iptables-restore --noflush} reads it as is). */
  public String restoreScript() {
    var sb = new StringBuilder();
    for (var t : tables) {
      sb.append('*').append(t.name()).append('\n');
      for (var c : t.chains()) {
        sb.append(':').append(c).append(" - [0:0]\n");
      }
      for (var r : t.rules()) {
        sb.append(r).append('\n');
      }
      sb.append("COMMIT\n");
    }
    return sb.toString();
  }

  /**
   * What {@code meshwork iptables --dry-run} prints: a header naming the options, the restore input,
   * and the policy routing commands as comments, so the whole text can still be piped into
   * iptables-restore.
   */
  public String dryRun() {
    var c = config;
    var sb = new StringBuilder();
    sb.append("# meshwork iptables: mode ").append(c.mode())
        .append(", outbound -> ").append(c.outboundPort())
        .append(", inbound -> ").append(c.inboundPort())
        .append(", proxy uid ").append(String.join(",", c.proxyUids()))
        .append(" gid ").append(String.join(",", c.proxyGids())).append('\n');
    sb.append("# apply with: iptables-restore --noflush\n");
    sb.append(restoreScript());
    if (!routing.isEmpty()) {
      sb.append("# policy routing for TPROXY (run after the rules):\n");
      for (var r : routing) {
        sb.append("#   ip ").append(String.join(" ", r)).append('\n');
      }
    }
    return sb.toString();
  }
}
