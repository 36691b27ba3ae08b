package io.meshwork.proxy.capture;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Applies a {@link CapturePlan} and removes it again.
 *
 * <p>Removal does not trust memory of what was applied (the process that applied it may be long
 * gone): it reads {@code iptables-save}, deletes every rule in a built-in chain that jumps to an
 * {@code ISTIO_*} chain, flushes and deletes the {@code ISTIO_*} chains, all in one
 * iptables-restore transaction per table, then deletes the policy routing rule and table. Every
 * rule the generator puts in a built-in chain is such a jump, so this removes exactly what was added,
 * and running it again finds nothing and changes nothing.
 */
public final class CaptureInstaller {
  private static final List<String> TABLES = List.of("nat", "mangle");
  private static final Set<String> BUILT_IN = Set.of("PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING");
  private static final Pattern OUR_JUMP = Pattern.compile("-A (\\S+) (.* )?-j (ISTIO_[A-Z_]+)( .*)?");
  private static final Pattern OUR_CHAIN = Pattern.compile(":(ISTIO_[A-Z_]+) .*");

  private final CommandRunner runner;

  private CaptureInstaller(CommandRunner runner) {
    this.runner = runner;
  }

  public static CaptureInstaller with(CommandRunner runner) {
    return new CaptureInstaller(runner);
  }

  /** Removes any earlier capture rules, then applies {@code plan}. */
  public void apply(CapturePlan plan) throws IOException {
    cleanup(plan.config().mark(), plan.config().routeTable());
    var r = runner.run(List.of("iptables-restore", "--noflush"), plan.restoreScript());
    if (!r.ok()) {
      throw new IOException("iptables-restore rejected the capture rules: " + r.stderr().strip()
          + " (is the kernel missing a netfilter module, e.g. xt_owner or xt_TPROXY?)");
    }
    for (var args : plan.routing()) {
      var cmd = new ArrayList<String>();
      cmd.add("ip");
      cmd.addAll(args);
      var rr = runner.run(cmd, "");
      if (!rr.ok()) {
        throw new IOException(String.join(" ", cmd) + " failed: " + rr.stderr().strip());
      }
    }
  }

  /**
   * Removes all capture rules and TPROXY policy routing for {@code mark}/{@code routeTable}.
   *
   * @return how many iptables rules and chains were removed (0 when there was nothing to remove)
   */
  public int cleanup(int mark, int routeTable) throws IOException {
    int removed = 0;
    for (var table : TABLES) {
      var save = runner.run(List.of("iptables-save", "-t", table), "");
      if (!save.ok()) {
        throw new IOException("iptables-save -t " + table + " failed: " + save.stderr().strip());
      }
      var script = removalScript(table, save.stdout());
      if (script.isEmpty()) {
        continue;
      }
      var r = runner.run(List.of("iptables-restore", "--noflush"), script);
      if (!r.ok()) {
        throw new IOException("iptables-restore could not remove the capture rules from table " + table + ": " + r.stderr().strip());
      }
      removed += (int) script.lines().filter(l -> l.startsWith("-D") || l.startsWith("-X")).count();
    }
    var m = Integer.toString(mark);
    var t = Integer.toString(routeTable);
    for (int i = 0; i < 32; i++) {
      if (!runner.run(List.of("ip", "-4", "rule", "del", "fwmark", m, "lookup", t), "").ok()) {
        break;
      }
    }
    var routes = runner.run(List.of("ip", "-4", "route", "show", "table", t), "");
    if (routes.ok() && !routes.stdout().isBlank()) {
      runner.run(List.of("ip", "-4", "route", "flush", "table", t), "");
    }
    return removed;
  }

  /**
   * The iptables-restore input that removes Meshwork's rules from one table, given that table's
   * {@code iptables-save} output; empty when there is nothing to remove.
   */
  static String removalScript(String table, String saveOutput) {
    var deletes = new ArrayList<String>();
    var chains = new ArrayList<String>();
    for (var line : saveOutput.lines().toList()) {
      var jump = OUR_JUMP.matcher(line);
      if (jump.matches() && BUILT_IN.contains(jump.group(1))) {
        deletes.add("-D" + line.substring(2));
      }
      var chain = OUR_CHAIN.matcher(line);
      if (chain.matches()) {
        chains.add(chain.group(1));
      }
    }
    if (deletes.isEmpty() && chains.isEmpty()) {
      return "";
    }
    var sb = new StringBuilder("*").append(table).append('\n');
    deletes.forEach(d -> sb.append(d).append('\n'));
    chains.forEach(c -> sb.append("-F ").append(c).append('\n'));
    chains.forEach(c -> sb.append("-X ").append(c).append('\n'));
    return sb.append("COMMIT\n").toString();
  }
}
