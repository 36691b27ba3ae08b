package io.meshwork.config.analysis;

import io.meshwork.config.HostNames;
import io.meshwork.config.Resource;
import io.meshwork.config.networking.Destination;
import io.meshwork.config.networking.DestinationRule;
import io.meshwork.config.networking.VirtualService;
import java.util.List;

/**
 * VirtualService references: every destination host must be a service of the input, every subset
 * must be defined by a DestinationRule for that host, every gateway must exist.
 */
final class DestinationAnalyzer implements Analyzer {
  private static final String GROUP = "networking.istio.io";

  @Override
  public void analyze(MeshIndex index, Findings out) {
    var rules = index.ofKind(GROUP, "DestinationRule");
    for (var r : index.ofKind(GROUP, "VirtualService")) {
      var vs = r.spec(VirtualService.class);
      for (int i = 0; i < vs.http().size(); i++) {
        var http = vs.http().get(i);
        var p = "spec.http[" + i + "]";
        for (int j = 0; j < http.route().size(); j++) {
          check(index, rules, r, p + ".route[" + j + "].destination", http.route().get(j).destination(), out);
        }
        if (http.mirror() != null) {
          check(index, rules, r, p + ".mirror", http.mirror(), out);
        }
        for (int j = 0; j < http.mirrors().size(); j++) {
          check(index, rules, r, p + ".mirrors[" + j + "].destination", http.mirrors().get(j).destination(), out);
        }
        for (int j = 0; j < http.match().size(); j++) {
          checkGateways(index, r, p + ".match[" + j + "].gateways", http.match().get(j).gateways(), out);
        }
      }
      for (int i = 0; i < vs.tcp().size(); i++) {
        var route = vs.tcp().get(i).route();
        for (int j = 0; j < route.size(); j++) {
          check(index, rules, r, "spec.tcp[" + i + "].route[" + j + "].destination", route.get(j).destination(), out);
        }
      }
      for (int i = 0; i < vs.tls().size(); i++) {
        var route = vs.tls().get(i).route();
        for (int j = 0; j < route.size(); j++) {
          check(index, rules, r, "spec.tls[" + i + "].route[" + j + "].destination", route.get(j).destination(), out);
        }
      }
      checkGateways(index, r, "spec.gateways", vs.gateways(), out);
    }
  }

  private static void check(MeshIndex index, List<Resource> rules, Resource vs, String path, Destination d, Findings out) {
    var service = index.lookup(d.host(), vs.namespace());
    var fqdn = HostNames.fqdn(d.host(), vs.namespace());
    if (service == null) {
      var ns = HostNames.namespaceOf(fqdn);
      if (ns != null && !index.hasServicesIn(ns)) {
        out.add(Code.REFERENCED_HOST_NOT_FOUND, Severity.WARNING, vs, path + ".host",
            "host " + d.host() + " (" + fqdn + ") is not in the input, which declares no service in namespace " + ns
                + "; add its Service or ServiceEntry to check it");
      } else {
        out.add(Code.REFERENCED_HOST_NOT_FOUND, vs, path + ".host",
            "host " + d.host() + " (" + fqdn + ") is not a Kubernetes Service or ServiceEntry host; requests routed there will fail");
      }
      return;
    }
    if (d.subset() == null || d.subset().isEmpty()) {
      return;
    }
    if (definer(index, rules, service, d.subset()) != null) {
      return;
    }
    var replaced = definer(index, index.replacedOfKind(GROUP, "DestinationRule"), service, d.subset());
    if (replaced != null) {
      out.add(Code.SUBSET_NOT_FOUND, Severity.WARNING, vs, path + ".subset",
          "subset " + d.subset() + " of host " + d.host() + " is defined only by a version of DestinationRule " + replaced.namespace() + "/"
              + replaced.name() + " that a later document replaces; applied in this order, requests routed there get 503");
      return;
    }
    out.add(Code.SUBSET_NOT_FOUND, vs, path + ".subset",
        "subset " + d.subset() + " of host " + d.host() + " is not defined by any DestinationRule for that host; requests routed there get 503 (no healthy upstream)");
  }

  private static void checkGateways(MeshIndex index, Resource vs, String path, List<String> gateways, Findings out) {
    for (int k = 0; k < gateways.size(); k++) {
      var g = gateways.get(k);
      if (g.equals("mesh")) {
        continue;
      }
      int slash = g.indexOf('/');
      var ns = slash < 0 ? vs.namespace() : g.substring(0, slash);
      var name = slash < 0 ? g : g.substring(slash + 1);
      if (name.contains(".")) {
        name = name.substring(0, name.indexOf('.'));
      }
      var n = name;
      boolean found = index.ofKind(GROUP, "Gateway").stream().anyMatch(r -> r.namespace().equals(ns) && r.name().equals(n));
      if (!found) {
        out.add(Code.GATEWAY_NOT_FOUND, vs, path + "[" + k + "]",
            "gateway " + ns + "/" + name + " is not in the input; this VirtualService has no effect on it");
      }
    }
  }

  /** The DestinationRule among {@code rules} that defines {@code subset} for {@code service}, or null. */
  private static Resource definer(MeshIndex index, List<Resource> rules, MeshIndex.Service service, String subset) {
    for (var dr : rules) {
      var rule = dr.spec(DestinationRule.class);
      if (index.lookup(rule.host(), dr.namespace()) == service && rule.subsets().stream().anyMatch(s -> s.name().equals(subset))) {
        return dr;
      }
    }
    return null;
  }
}
