package io.meshwork.proxy.capture;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * Generates the capture rules in the shape of Istio's {@code istio-iptables}, so that anyone who has
 * debugged an Istio pod recognises them:
 *
 * <ul>
 *   <li>nat {@code OUTPUT → ISTIO_OUTPUT → ISTIO_REDIRECT} (REDIRECT to the outbound port), with
 *       RETURN for the inbound passthrough source 127.0.0.6, the proxy's uids/gids, 127.0.0.1, and
 *       the excluded ports and CIDRs; the proxy calling its own pod over {@code lo} goes to {@code
 *       ISTIO_IN_REDIRECT} (the app calling itself through its service is handled inbound);
 *   <li>REDIRECT mode: nat {@code PREROUTING → ISTIO_INBOUND → ISTIO_IN_REDIRECT} (the inbound
 *       port), skipping the proxy's own ports;
 *   <li>TPROXY mode: mangle {@code PREROUTING → ISTIO_INBOUND → ISTIO_TPROXY / ISTIO_DIVERT} with
 *       the mark, a connmark save/restore pair so replies to transparently bound upstream
 *       connections come back through {@code lo}, and {@code ip rule fwmark MARK lookup TABLE} with
 *       {@code local default dev lo} in that table.
 * </ul>
 *
 * <p>Two deliberate differences from istio-iptables: the connmark save rule sits at the top of the
 * mangle {@code ISTIO_INBOUND} chain and the mangle output rules in a mangle {@code ISTIO_OUTPUT}
 * chain, so that every rule placed in a built-in chain is a plain jump to an {@code ISTIO_*} chain
 * (which makes cleanup exact); and in TPROXY mode nat {@code ISTIO_OUTPUT} first returns packets that
 * carry the mark, so the proxy's transparent connection to the local app is not redirected back to
 * the inbound port. DNS capture and the 15008 tunnel port are not generated.
 */
public final class CaptureRules {
  static final String LOCALHOST = "127.0.0.1/32";
  static final int SELF_CALL_MARK = 1338;

  private CaptureRules() {}

  public static CapturePlan generate(CaptureConfig c) {
    var tables = new ArrayList<CapturePlan.Table>();
    var routing = new ArrayList<List<String>>();
    boolean inbound = !c.inboundPorts().none();
    boolean tproxy = c.mode() == InterceptionMode.TPROXY;

    if (tproxy && inbound) {
      tables.add(mangle(c));
      routing.add(List.of("-4", "rule", "add", "fwmark", Integer.toString(c.mark()), "lookup", Integer.toString(c.routeTable())));
      routing.add(List.of("-4", "route", "add", "local", "default", "dev", "lo", "table", Integer.toString(c.routeTable())));
    }
    tables.add(nat(c, inbound && !tproxy, tproxy && inbound));
    // nat before mangle in the text reads like istio-iptables output; order does not matter to the kernel.
    tables.sort((a, b) -> a.name().equals("nat") ? -1 : b.name().equals("nat") ? 1 : 0);
    return new CapturePlan(tables, routing, c);
  }

  private static CapturePlan.Table nat(CaptureConfig c, boolean redirectInbound, boolean tproxy) {
    var chains = new ArrayList<String>();
    var rules = new ArrayList<String>();
    if (redirectInbound) {
      chains.add("ISTIO_INBOUND");
    }
    chains.addAll(List.of("ISTIO_REDIRECT", "ISTIO_IN_REDIRECT", "ISTIO_OUTPUT"));
    rules.add("-A ISTIO_REDIRECT -p tcp -j REDIRECT --to-ports " + c.outboundPort());
    rules.add("-A ISTIO_IN_REDIRECT -p tcp -j REDIRECT --to-ports " + c.inboundPort());

    if (redirectInbound) {
      rules.add("-A PREROUTING -p tcp -j ISTIO_INBOUND");
      if (c.inboundPorts().all()) {
        for (var p : inboundExcluded(c)) {
          rules.add("-A ISTIO_INBOUND -p tcp --dport " + p + " -j RETURN");
        }
        rules.add("-A ISTIO_INBOUND -p tcp -j ISTIO_IN_REDIRECT");
      } else {
        for (var p : c.inboundPorts().ports()) {
          rules.add("-A ISTIO_INBOUND -p tcp --dport " + p + " -j ISTIO_IN_REDIRECT");
        }
      }
    }

    rules.add("-A OUTPUT -p tcp -j ISTIO_OUTPUT");
    if (tproxy) {
      rules.add("-A ISTIO_OUTPUT -p tcp -m mark --mark " + c.mark() + " -j RETURN");
    }
    rules.add("-A ISTIO_OUTPUT -o lo -s " + CaptureConfig.INBOUND_PASSTHROUGH_SOURCE + " -j RETURN");
    for (var uid : c.proxyUids()) {
      ownerRules(rules, "--uid-owner", uid);
    }
    for (var gid : c.proxyGids()) {
      ownerRules(rules, "--gid-owner", gid);
    }
    rules.add("-A ISTIO_OUTPUT -d " + LOCALHOST + " -j RETURN");
    for (var p : c.excludeOutboundPorts()) {
      rules.add("-A ISTIO_OUTPUT -p tcp --dport " + p + " -j RETURN");
    }
    for (var cidr : c.excludeOutboundCidrs()) {
      rules.add("-A ISTIO_OUTPUT -d " + cidr + " -j RETURN");
    }
    for (var p : c.includeOutboundPorts()) {
      rules.add("-A ISTIO_OUTPUT -p tcp --dport " + p + " -j ISTIO_REDIRECT");
    }
    if (c.includeOutboundCidrs().all()) {
      rules.add("-A ISTIO_OUTPUT -j ISTIO_REDIRECT");
    } else {
      for (var cidr : c.includeOutboundCidrs().cidrs()) {
        rules.add("-A ISTIO_OUTPUT -d " + cidr + " -j ISTIO_REDIRECT");
      }
      rules.add("-A ISTIO_OUTPUT -j RETURN");
    }
    return new CapturePlan.Table("nat", chains, rules);
  }

  /**
   * Per proxy uid or gid: its calls to its own pod over {@code lo} are inbound traffic (the app
   * calling itself through its service); other local traffic on {@code lo} is left alone; all its
   * other traffic is never captured (no loop).
   */
  private static void ownerRules(List<String> rules, String match, String id) {
    rules.add("-A ISTIO_OUTPUT -o lo ! -d " + LOCALHOST + " -p tcp -m owner " + match + " " + id + " -j ISTIO_IN_REDIRECT");
    rules.add("-A ISTIO_OUTPUT -o lo -m owner ! " + match + " " + id + " -j RETURN");
    rules.add("-A ISTIO_OUTPUT -m owner " + match + " " + id + " -j RETURN");
  }

  private static CapturePlan.Table mangle(CaptureConfig c) {
    var chains = List.of("ISTIO_DIVERT", "ISTIO_TPROXY", "ISTIO_INBOUND", "ISTIO_OUTPUT");
    var rules = new ArrayList<String>();
    var mark = Integer.toString(c.mark());
    rules.add("-A ISTIO_DIVERT -j MARK --set-mark " + mark);
    rules.add("-A ISTIO_DIVERT -j ACCEPT");
    rules.add("-A ISTIO_TPROXY ! -d " + LOCALHOST + " -p tcp -j TPROXY --on-port " + c.inboundPort()
        + " --tproxy-mark " + mark + "/0xffffffff");
    rules.add("-A PREROUTING -p tcp -j ISTIO_INBOUND");
    rules.add("-A OUTPUT -p tcp -j ISTIO_OUTPUT");
    // Packets the proxy sent with the mark (its transparent upstream connections): remember the mark
    // on the connection so that the app's replies are routed back through lo, then leave them alone.
    rules.add("-A ISTIO_INBOUND -p tcp -m mark --mark " + mark + " -j CONNMARK --save-mark");
    rules.add("-A ISTIO_INBOUND -p tcp -m mark --mark " + mark + " -j RETURN");
    rules.add("-A ISTIO_INBOUND -p tcp -s " + CaptureConfig.INBOUND_PASSTHROUGH_SOURCE + " -i lo -j RETURN");
    rules.add("-A ISTIO_INBOUND -p tcp -i lo -m mark ! --mark " + SELF_CALL_MARK + " -j RETURN");
    if (c.inboundPorts().all()) {
      for (var p : inboundExcluded(c)) {
        rules.add("-A ISTIO_INBOUND -p tcp --dport " + p + " -j RETURN");
      }
      rules.add("-A ISTIO_INBOUND -p tcp -m conntrack --ctstate RELATED,ESTABLISHED -j ISTIO_DIVERT");
      rules.add("-A ISTIO_INBOUND -p tcp -j ISTIO_TPROXY");
    } else {
      for (var p : c.inboundPorts().ports()) {
        rules.add("-A ISTIO_INBOUND -p tcp --dport " + p + " -m conntrack --ctstate RELATED,ESTABLISHED -j ISTIO_DIVERT");
        rules.add("-A ISTIO_INBOUND -p tcp --dport " + p + " -j ISTIO_TPROXY");
      }
    }
    rules.add("-A ISTIO_OUTPUT -p tcp -o lo -m mark --mark " + mark + " -j RETURN");
    for (var uid : c.proxyUids()) {
      rules.add("-A ISTIO_OUTPUT ! -d " + LOCALHOST + " -p tcp -o lo -m owner --uid-owner " + uid + " -j MARK --set-mark " + SELF_CALL_MARK);
    }
    for (var gid : c.proxyGids()) {
      rules.add("-A ISTIO_OUTPUT ! -d " + LOCALHOST + " -p tcp -o lo -m owner --gid-owner " + gid + " -j MARK --set-mark " + SELF_CALL_MARK);
    }
    rules.add("-A ISTIO_OUTPUT -p tcp -m connmark --mark " + mark + " -j CONNMARK --restore-mark");
    return new CapturePlan.Table("mangle", chains, rules);
  }

  private static List<Integer> inboundExcluded(CaptureConfig c) {
    var s = new LinkedHashSet<Integer>(c.ownPorts());
    s.addAll(c.excludeInboundPorts());
    return List.copyOf(s);
  }
}
