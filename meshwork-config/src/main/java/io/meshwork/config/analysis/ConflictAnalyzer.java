package io.meshwork.config.analysis;

import io.meshwork.config.HostNames;
import io.meshwork.config.Resource;
import io.meshwork.config.networking.DestinationRule;
import io.meshwork.config.networking.VirtualService;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * More than one VirtualService for the same host on the same gateway (for sidecars, "mesh", only
 * one of them is used: an error; on an ingress gateway their routes merge in no defined order: a
 * warning), and more than one DestinationRule for the same host without a workload selector.
 */
final class ConflictAnalyzer implements Analyzer {
  private static final String GROUP = "networking.istio.io";

  record Binding(String gateway, String host, Resource vs) {}

  @Override
  public void analyze(MeshIndex index, Findings out) {
    var bindings = new ArrayList<Binding>();
    for (var r : index.ofKind(GROUP, "VirtualService")) {
      var vs = r.spec(VirtualService.class);
      var gateways = vs.gateways().isEmpty() ? List.of("mesh") : vs.gateways();
      for (var g : gateways) {
        var gw = g.equals("mesh") || g.contains("/") ? g : r.namespace() + "/" + g;
        for (var h : vs.hosts()) {
          bindings.add(new Binding(gw, HostNames.fqdn(h, r.namespace()), r));
        }
      }
    }
    MeshIndex.group(bindings, b -> b.gateway() + " " + b.host()).forEach((key, group) -> {
      if (group.size() < 2) {
        return;
      }
      var names = group.stream().map(b -> b.vs().namespace() + "/" + b.vs().name()).collect(Collectors.joining(", "));
      var first = group.getFirst();
      boolean mesh = first.gateway().equals("mesh");
      for (var b : group) {
        out.add(Code.CONFLICTING_VIRTUAL_SERVICES, mesh ? Severity.ERROR : Severity.WARNING, b.vs(), "spec.hosts",
            "VirtualServices " + names + " all define routes for " + first.host() + " on " + (mesh ? "the mesh (sidecars)" : "gateway " + first.gateway())
                + (mesh ? "; sidecars use only one of them, so merge them into one" : "; their routes are merged in no defined order"));
      }
    });

    var rules = index.ofKind(GROUP, "DestinationRule").stream()
        .filter(r -> r.spec(DestinationRule.class).workloadSelector() == null).toList();
    MeshIndex.group(rules, r -> HostNames.fqdn(r.spec(DestinationRule.class).host(), r.namespace())).forEach((host, group) -> {
      if (group.size() < 2) {
        return;
      }
      var names = group.stream().map(r -> r.namespace() + "/" + r.name()).collect(Collectors.joining(", "));
      for (var r : group) {
        out.add(Code.CONFLICTING_DESTINATION_RULES, r, "spec.host",
            "DestinationRules " + names + " all apply to " + host + "; only one traffic policy takes effect, so merge them into one");
      }
    });
  }
}
