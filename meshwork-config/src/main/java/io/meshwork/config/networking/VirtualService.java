package io.meshwork.config.networking;

import io.meshwork.config.schema.FieldPath;
import io.meshwork.config.schema.Validatable;
import io.meshwork.config.schema.Validation;
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

  @Override
  public void validate(Validation v) {
    if (http.isEmpty() && tls.isEmpty() && tcp.isEmpty()) {
      v.required(v.at("http"), "http, tcp or tls must be provided in virtual service");
    }
    if (isDelegate()) {
      if (!gateways.isEmpty()) {
        v.forbidden(v.at("gateways"), "delegate virtual service (one without hosts) must have no gateways specified");
      }
      if (!tls.isEmpty()) {
        v.forbidden(v.at("tls"), "delegate virtual service (one without hosts) must have no tls route specified");
      }
      if (!tcp.isEmpty()) {
        v.forbidden(v.at("tcp"), "delegate virtual service (one without hosts) must have no tcp route specified");
      }
      for (int i = 0; i < http.size(); i++) {
        if (http.get(i).delegate() != null) {
          v.forbidden(v.at("http").index(i).child("delegate"), "http delegate only applies to root virtual service (one with hosts)");
        }
      }
    }
    checkHosts(v);
    checkGatewayNames(v, v.at("gateways"), gateways);
    NetRules.checkExportTo(v, exportTo);
  }

  private void checkHosts(Validation v) {
    boolean mesh = appliesToMesh();
    for (int i = 0; i < hosts.size(); i++) {
      var h = hosts.get(i);
      var p = v.at("hosts").index(i);
      if (h.equals("*")) {
        if (mesh) {
          v.invalid(p, h, "wildcard host * is not allowed for virtual services bound to the mesh gateway");
        }
        continue;
      }
      var err = NetRules.checkWildcardDomain(h);
      if (err != null && !NetRules.isIp(h)) {
        v.invalid(p, h, err);
      }
    }
  }

  /** Gateway references: {@code mesh}, {@code namespace/name}, or a bare (or legacy FQDN) name. */
  static void checkGatewayNames(Validation v, FieldPath p, List<String> gateways) {
    for (int i = 0; i < gateways.size(); i++) {
      var g = gateways.get(i);
      var gp = p.index(i);
      if (g.equals(MESH)) {
        continue;
      }
      int slash = g.indexOf('/');
      if (slash < 0) {
        if (g.isEmpty() || NetRules.checkDnsName(g, g) != null) {
          v.invalid(gp, g, "gateway must be \"mesh\", namespace/name or a gateway name");
        } else if (g.contains(".")) {
          v.warn(gp, "using legacy gatewayName format \"" + g + "\"; prefer the <namespace>/<name> format");
        }
        continue;
      }
      var ns = g.substring(0, slash);
      var name = g.substring(slash + 1);
      if (ns.isEmpty() || name.isEmpty()) {
        v.invalid(gp, g, "config namespace and gateway name cannot be empty");
      } else if (!NetRules.isDns1123Label(ns)) {
        v.invalid(gp, g, "invalid value for namespace: \"" + ns + "\"");
      } else if (name.length() > 253 || NetRules.checkDnsName(name, name) != null) {
        v.invalid(gp, g, "invalid value for gateway name: \"" + name + "\"");
      }
    }
  }

  static void checkSubnets(Validation v, FieldPath p, List<String> subnets) {
    for (int i = 0; i < subnets.size(); i++) {
      if (!NetRules.isIpOrCidr(subnets.get(i))) {
        v.invalid(p.index(i), subnets.get(i), "must be an IP address or CIDR block such as 10.0.0.0/8");
      }
    }
  }

  static void checkTotalWeight(Validation v, List<RouteDestination> route) {
    if (route.size() > 1 && route.stream().mapToLong(RouteDestination::weight).sum() == 0) {
      v.invalid("route", route, "total destination weight = 0: give at least one destination a positive weight");
    }
  }
}
