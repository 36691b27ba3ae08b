package io.meshwork.cli;

import io.meshwork.proxy.capture.CaptureConfig;
import io.meshwork.proxy.capture.CaptureInstaller;
import io.meshwork.proxy.capture.CaptureRules;
import io.meshwork.proxy.capture.CidrSelection;
import io.meshwork.proxy.capture.CommandRunner;
import io.meshwork.proxy.capture.InterceptionMode;
import io.meshwork.proxy.capture.PortSelection;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code meshwork iptables}: the transparent capture rules of a sidecar, in the shape of Istio's
 * {@code istio-iptables}. With {@code --dry-run} it prints them (iptables-restore input); otherwise it
 * applies them in the current network namespace (root needed), replacing any earlier set. {@code
 * --cleanup} removes them and is safe to repeat. Exit codes follow {@link Main}: 2 for bad options,
 * 1 when iptables refuses.
 */
@Command(name = "iptables", mixinStandardHelpOptions = true,
    description = {
      "Print (--dry-run) or apply the sidecar's traffic capture rules in this network namespace,",
      "like Istio's istio-iptables; --cleanup removes them."
    })
public final class IptablesCommand implements Callable<Integer> {
  @Option(names = {"-n", "--dry-run"}, description = "Print the rules (iptables-restore input) instead of applying them.")
  boolean dryRun;

  @Option(names = "--cleanup", description = "Remove the capture rules (and TPROXY routing) and exit; harmless when none are present.")
  boolean cleanup;

  @Option(names = {"-m", "--mode"}, paramLabel = "MODE", defaultValue = "REDIRECT",
      description = "Inbound interception: REDIRECT (default) or TPROXY (keeps the caller's address).")
  String mode;

  @Option(names = {"-p", "--proxy-port"}, paramLabel = "PORT", defaultValue = "15001", description = "Port that captured outbound traffic goes to (default 15001).")
  int proxyPort;

  @Option(names = {"-z", "--inbound-capture-port"}, paramLabel = "PORT", defaultValue = "15006", description = "Port that captured inbound traffic goes to (default 15006).")
  int inboundPort;

  @Option(names = {"-u", "--proxy-uid"}, paramLabel = "UIDS", defaultValue = "1337", description = "Comma-separated uids whose traffic is never captured (default 1337).")
  String proxyUid;

  @Option(names = {"-g", "--proxy-gid"}, paramLabel = "GIDS", description = "Comma-separated gids whose traffic is never captured (default: the uids).")
  String proxyGid;

  @Option(names = {"-b", "--inbound-ports"}, paramLabel = "PORTS", defaultValue = "*",
      description = "Inbound ports to capture: * (default) for all, '' for none, or a list.")
  String inboundPorts;

  @Option(names = {"-d", "--exclude-inbound-ports"}, paramLabel = "PORTS", defaultValue = "", description = "Inbound ports never captured (the proxy's 15000, 15020, 15021, 15090 always are).")
  String excludeInboundPorts;

  @Option(names = {"-i", "--include-outbound-cidrs"}, paramLabel = "CIDRS", defaultValue = "*",
      description = "Outbound destinations to capture: * (default) for all, '' for none, or a list.")
  String includeOutboundCidrs;

  @Option(names = {"-x", "--exclude-outbound-cidrs"}, paramLabel = "CIDRS", defaultValue = "", description = "Outbound destinations never captured.")
  String excludeOutboundCidrs;

  @Option(names = {"-q", "--include-outbound-ports"}, paramLabel = "PORTS", defaultValue = "", description = "Outbound ports captured whatever the destination.")
  String includeOutboundPorts;

  @Option(names = {"-o", "--exclude-outbound-ports"}, paramLabel = "PORTS", defaultValue = "", description = "Outbound ports never captured.")
  String excludeOutboundPorts;

  @Option(names = "--mark", paramLabel = "N", defaultValue = "1337", description = "TPROXY firewall mark (default 1337).")
  int mark;

  @Option(names = "--route-table", paramLabel = "N", defaultValue = "133", description = "TPROXY policy routing table (default 133).")
  int routeTable;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    var out = spec.commandLine().getOut();
    var err = spec.commandLine().getErr();
    CaptureConfig config;
    try {
      config = config();
    } catch (IllegalArgumentException e) {
      throw new UserException(2, e.getMessage());
    }
    var installer = CaptureInstaller.with(CommandRunner.local());
    try {
      if (cleanup) {
        if (dryRun) {
          out.println("# --cleanup removes every rule in a built-in nat/mangle chain that jumps to an ISTIO_* chain,");
          out.println("# the ISTIO_* chains, 'ip -4 rule del fwmark " + config.mark() + " lookup " + config.routeTable()
              + "' and the routes of table " + config.routeTable() + ".");
          return 0;
        }
        int removed = installer.cleanup(config.mark(), config.routeTable());
        err.println("meshwork iptables: cleanup removed " + removed + " jump(s) and chain(s), with the rules in them"
            + (removed == 0 ? " (nothing was installed)" : ""));
        return 0;
      }
      var plan = CaptureRules.generate(config);
      if (dryRun) {
        out.print(plan.dryRun());
        out.flush();
        return 0;
      }
      installer.apply(plan);
      int rules = plan.tables().stream().mapToInt(t -> t.rules().size()).sum();
      err.println("meshwork iptables: applied " + rules + " rule(s) in " + plan.tables().size()
          + " table(s), mode " + config.mode() + "; remove them with 'meshwork iptables --cleanup'");
      return 0;
    } catch (IOException e) {
      throw new UserException(1, e.getMessage() + (isRoot() ? "" : " (run as root: changing iptables needs CAP_NET_ADMIN)"));
    }
  }

  private CaptureConfig config() {
    InterceptionMode m;
    try {
      m = InterceptionMode.valueOf(mode.strip().toUpperCase());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--mode: '" + mode + "' is not a mode; use REDIRECT or TPROXY");
    }
    var uids = ids(proxyUid);
    return CaptureConfig.builder()
        .mode(m)
        .outboundPort(proxyPort)
        .inboundPort(inboundPort)
        .proxyUids(uids)
        .proxyGids(proxyGid == null ? uids : ids(proxyGid))
        .inboundPorts(PortSelection.parse("--inbound-ports", inboundPorts))
        .excludeInboundPorts(PortSelection.parseList("--exclude-inbound-ports", excludeInboundPorts))
        .includeOutboundCidrs(CidrSelection.parse("--include-outbound-cidrs", includeOutboundCidrs))
        .excludeOutboundCidrs(CidrSelection.parseList("--exclude-outbound-cidrs", excludeOutboundCidrs))
        .includeOutboundPorts(PortSelection.parseList("--include-outbound-ports", includeOutboundPorts))
        .excludeOutboundPorts(PortSelection.parseList("--exclude-outbound-ports", excludeOutboundPorts))
        .mark(mark)
        .routeTable(routeTable)
        .build();
  }

  private static List<String> ids(String text) {
    return Arrays.stream(text.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
  }

  private static boolean isRoot() {
    return "root".equals(System.getProperty("user.name"));
  }
}
