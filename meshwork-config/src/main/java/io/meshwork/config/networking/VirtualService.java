package io.meshwork.config.networking;

import io.meshwork.config.schema.FieldPath;
import io.meshwork.config.schema.Validatable;
import io.meshwork.config.schema.Validation;
import java.util.HashMap;
import java.util.List;

/**
 * Routing rules for traffic to a set of hosts (networking.istio.io VirtualService). A
 * VirtualService without hosts is a delegate: only other VirtualServices' {@code delegate}
 * routes reach it, so it may hold neither gateways, TCP/TLS routes nor delegates of its own.
 */
public record VirtualService(
    List<String> hosts,
    List<String> gateways,
    List<HTTPRoute> http,
    List<TLSRoute> tls,
    List<TCPRoute> tcp,
    List<String> exportTo) implements Validatable {

  /** The name of the gateway that stands for every sidecar of the mesh. */
  public static final String MESH = "mesh";

  /** Whether this is a delegate (hostless) VirtualService. */
  public boolean isDelegate() {
    return hosts.isEmpty();
  }

  /** Whether the rules apply to sidecars (no gateways listed, or {@code mesh} among them). */
  public boolean appliesToMesh() {
    return gateways.isEmpty() || gateways.contains(MESH);
  }

  /** Whether the rules apply only to gateways (gateways listed, {@code mesh} not among them). */
  public boolean appliesOnlyToGateways() {
    return !gateways.isEmpty() && !gateways.contains(MESH);
  }

  @Override
  public void validate(Validation v) {
    if (isDelegate()) {
      checkDelegate(v);
    }
    checkGatewayNames(v, v.at("gateways"), gateways);
    if (!appliesOnlyToGateways()) {
      checkNoJwtClaimRouting(v);
    }
    if (checkHosts(v)) {
      checkDuplicateHosts(v);
    }
    if (http.isEmpty() && tls.isEmpty() && tcp.isEmpty()) {
      v.required(v.at("http"), "http, tcp or tls must be provided in virtual service");
    }
    checkSniHosts(v);
    NetRules.checkExportTo(v, exportTo, false, false);
    warnUnreachable(v);
  }

  private void checkDelegate(Validation v) {
    if (!gateways.isEmpty()) {
      v.forbidden(v.at("gateways"), "delegate virtual service must have no gateways specified");
    }
    if (!tls.isEmpty()) {
      v.forbidden(v.at("tls"), "delegate virtual service must have no tls route specified");
    }
    if (!tcp.isEmpty()) {
      v.forbidden(v.at("tcp"), "delegate virtual service must have no tcp route specified");
    }
    for (int i = 0; i < http.size(); i++) {
      var p = v.at("http").index(i);
      if (http.get(i).delegate() != null) {
        v.forbidden(p.child("delegate"), "delegate HTTP route cannot contain delegate");
      }
      for (int m = 0; m < http.get(i).match().size(); m++) {
        for (var field : http.get(i).match().get(m).regexFields()) {
          v.invalid(p.child("match").index(m), field, field + " match does not support regex match for delegating");
        }
      }
    }
  }

  private void checkNoJwtClaimRouting(Validation v) {
    for (int i = 0; i < http.size(); i++) {
      for (int m = 0; m < http.get(i).match().size(); m++) {
        var match = http.get(i).match().get(m);
        var p = v.at("http").index(i).child("match").index(m);
        for (var k : match.headers().keySet()) {
          if (HTTPMatchRequest.isClaim(k)) {
            v.invalid(p.child("headers").key(k), k, "JWT claim based routing (key: " + k + ") is only supported for gateway, found no gateways: " + gateways);
          }
        }
        for (var k : match.withoutHeaders().keySet()) {
          if (HTTPMatchRequest.isClaim(k)) {
            v.invalid(p.child("withoutHeaders").key(k), k, "JWT claim based routing (key: " + k + ") is only supported for gateway, found no gateways: " + gateways);
          }
        }
      }
    }
  }

  /** Checks each host; returns whether all are valid. */
  private boolean checkHosts(Validation v) {
    boolean allValid = true;
    boolean sni = tls.stream().anyMatch(t -> t.match().stream().anyMatch(m -> !m.sniHosts().isEmpty()));
    for (int i = 0; i < hosts.size(); i++) {
      var h = hosts.get(i);
      var p = v.at("hosts").index(i);
      var err = appliesOnlyToGateways() ? gatewayHostError(sni, h) : HostRules.checkWildcardDomain(h);
      if (err != null) {
        if (!HostRules.isIp(h)) {
          v.invalid(p, h, err);
          allValid = false;
        }
      } else if (appliesToMesh() && h.equals("*")) {
        v.invalid(p, h, "wildcard host * is not allowed for virtual services bound to the mesh gateway");
        allValid = false;
      }
    }
    return allValid;
  }

  /** Hosts of gateway-bound VirtualServices may also be Istio's generated {@code outbound_.<port>_...} SNI names. */
  private static String gatewayHostError(boolean sni, String host) {
    if (sni && host.startsWith("outbound_.")) {
      return com.google.re2j.Pattern.compile("outbound_.([0-8].*).*").matcher(host).find()
          ? null : "domain name \"" + host + "\" invalid (label \"outbound_\" invalid)";
    }
    return HostRules.checkWildcardDomain(host);
  }

  private void checkDuplicateHosts(Validation v) {
    for (int i = 0; i < hosts.size(); i++) {
      for (int j = i + 1; j < hosts.size(); j++) {
        if (HostRules.hostsOverlap(hosts.get(i), hosts.get(j))) {
          v.invalid(v.at("hosts").index(j), hosts.get(j), "duplicate hosts in virtual service: " + hosts.get(i) + " & " + hosts.get(j));
        }
      }
    }
  }

  private void checkSniHosts(Validation v) {
    boolean gateway = appliesOnlyToGateways();
    for (int t = 0; t < tls.size(); t++) {
      var matches = tls.get(t).match();
      for (int m = 0; m < matches.size(); m++) {
        var sniHosts = matches.get(m).sniHosts();
        for (int s = 0; s < sniHosts.size(); s++) {
          var sni = sniHosts.get(s);
          var p = v.at("tls").index(t).child("match").index(m).child("sniHosts").index(s);
          var err = gateway ? gatewayHostError(true, sni) : HostRules.checkWildcardDomain(sni);
          if (err != null) {
            if (HostRules.isIp(sni)) {
              v.warn(p, "using an IP address (\"" + sni + "\") goes against SNI spec and most clients do not support this");
            } else {
              v.invalid(p, sni, err);
            }
            continue;
          }
          if (hosts.stream().noneMatch(h -> HostRules.hostSubsetOf(sni, h))) {
            v.invalid(p, sni, "SNI host \"" + sni + "\" is not a compatible subset of any of the virtual service hosts: ["
                + String.join(", ", hosts) + "]");
          }
        }
      }
    }
  }

  /** Istio's warnings for rules that can never match: a catch-all that is not last, or matches repeated from earlier rules. */
  private void warnUnreachable(Validation v) {
    var seen = new HashMap<Object, Integer>();
    int catchAll = -1;
    for (int i = 0; i < http.size(); i++) {
      var r = http.get(i);
      var label = r.name() != null && !r.name().isEmpty() ? "\"" + r.name() + "\"" : "#" + i;
      if (r.match().isEmpty()) {
        if (catchAll >= 0) {
          v.warn(v.at("http").index(i), "virtualService rule " + label + " not used (only the last rule can have no matches)");
        }
        catchAll = i;
        continue;
      }
      int duplicates = 0;
      for (int m = 0; m < r.match().size(); m++) {
        var key = withoutName(r.match().get(m));
        var prior = seen.putIfAbsent(key, i);
        if (prior != null) {
          duplicates++;
          v.warn(v.at("http").index(i).child("match").index(m), "virtualService rule " + label + " match #" + m
              + " is not used (duplicate/overlapping match in rule #" + prior + ")");
        }
      }
      if (duplicates == r.match().size()) {
        v.warn(v.at("http").index(i), "virtualService rule " + label + " not used (all matches used by prior rules)");
      }
    }
  }

  private static HTTPMatchRequest withoutName(HTTPMatchRequest m) {
    return new HTTPMatchRequest(null, m.uri(), m.scheme(), m.method(), m.authority(), m.headers(), m.port(), m.sourceLabels(),
        m.gateways(), m.queryParams(), m.ignoreUriCase(), m.withoutHeaders(), m.sourceNamespace(), m.statPrefix());
  }

  /**
   * Gateway references (Istio's validateGatewayNames): {@code mesh}, {@code namespace/name}
   * with DNS labels, or a bare (or legacy FQDN, warned about) name.
   */
  static void checkGatewayNames(Validation v, FieldPath p, List<String> gateways) {
    for (int i = 0; i < gateways.size(); i++) {
      var g = gateways.get(i);
      var gp = p.index(i);
      int slash = g.indexOf('/');
      if (slash < 0) {
        if (g.contains(".")) {
          var parts = g.split("\\.");
          v.warn(gp, "using legacy gatewayName format \"" + g + "\"; prefer the <namespace>/<name> format: \""
              + (parts.length > 1 ? parts[1] : "") + "/" + parts[0] + "\"");
        }
        var err = HostRules.checkFqdn(g);
        if (err != null) {
          v.invalid(gp, g, err);
        }
        continue;
      }
      var ns = g.substring(0, slash);
      var name = g.substring(slash + 1);
      if (ns.isEmpty() || name.isEmpty()) {
        v.invalid(gp, g, "config namespace and gateway name cannot be empty");
      } else if (!HostRules.isDns1123Label(ns)) {
        v.invalid(gp, g, "invalid value for namespace: \"" + ns + "\"");
      } else if (!HostRules.isDns1123Label(name)) {
        v.invalid(gp, g, "invalid value for gateway name: \"" + name + "\"");
      }
    }
  }

  static void checkSubnets(Validation v, FieldPath p, List<String> subnets) {
    for (int i = 0; i < subnets.size(); i++) {
      var s = subnets.get(i);
      if (!HostRules.isIpOrCidr(s)) {
        v.invalid(p.index(i), s, s + (s.contains("/") ? " is not a valid CIDR block" : " is not a valid IP"));
      }
    }
  }

  static void checkTotalWeight(Validation v, List<RouteDestination> route) {
    NetRules.checkWeights(v, route.size(), route.stream().mapToLong(RouteDestination::weight).sum());
  }
}
