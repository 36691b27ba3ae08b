package io.meshwork.config.analysis;

import io.meshwork.config.Resource;
import io.meshwork.config.networking.DestinationRule;
import io.meshwork.config.networking.Gateway;
import io.meshwork.config.networking.ServiceEntry;
import io.meshwork.config.networking.Sidecar;
import io.meshwork.config.security.AuthorizationPolicy;
import io.meshwork.config.security.PeerAuthentication;
import io.meshwork.config.security.RequestAuthentication;
import io.meshwork.config.telemetry.Telemetry;
import io.meshwork.config.types.WorkloadSelector;
import java.util.Map;

/**
 * Selectors that select nothing: a policy's workload selector, a Gateway's selector (any
 * namespace, as Istio looks for gateway workloads everywhere), a ServiceEntry's workload selector,
 * and DestinationRule subsets whose labels match none of the host's workloads. Checked only where
 * the input declares workloads in that namespace: otherwise the workloads may simply be elsewhere.
 */
final class SelectorAnalyzer implements Analyzer {
  @Override
  public void analyze(MeshIndex index, Findings out) {
    for (var r : index.resources()) {
      switch (r.spec()) {
        case DestinationRule dr -> {
          check(index, r, "spec.workloadSelector.matchLabels", dr.workloadSelector(), out);
          checkSubsets(index, r, dr, out);
        }
        case Sidecar s when s.workloadSelector() != null ->
            checkLabels(index, r, r.namespace(), "spec.workloadSelector.labels", s.workloadSelector().labels(), out);
        case PeerAuthentication pa -> check(index, r, "spec.selector.matchLabels", pa.selector(), out);
        case AuthorizationPolicy ap -> check(index, r, "spec.selector.matchLabels", ap.selector(), out);
        case RequestAuthentication ra -> check(index, r, "spec.selector.matchLabels", ra.selector(), out);
        case Telemetry t -> check(index, r, "spec.selector.matchLabels", t.selector(), out);
        case ServiceEntry se when se.workloadSelector() != null ->
            checkLabels(index, r, r.namespace(), "spec.workloadSelector.labels", se.workloadSelector().labels(), out);
        case Gateway g when !g.selector().isEmpty() && !index.workloads().isEmpty() && index.select(null, g.selector()).isEmpty() ->
            out.add(Code.SELECTOR_MATCHES_NOTHING, r, "spec.selector",
                "no workload in the input has the labels " + g.selector() + ", so no gateway proxy serves this Gateway");
        default -> {}
      }
    }
  }

  private static void check(MeshIndex index, Resource r, String path, WorkloadSelector selector, Findings out) {
    if (selector != null) {
      checkLabels(index, r, r.namespace(), path, selector.matchLabels(), out);
    }
  }

  private static void checkLabels(MeshIndex index, Resource r, String ns, String path, Map<String, String> labels, Findings out) {
    if (labels.isEmpty() || index.select(ns, Map.of()).isEmpty()) {
      return;
    }
    if (index.select(ns, labels).isEmpty()) {
      out.add(Code.SELECTOR_MATCHES_NOTHING, r, path,
          "no workload in namespace " + ns + " has the labels " + labels + ", so this " + r.kind().kind() + " applies to nothing");
    }
  }

  private static void checkSubsets(MeshIndex index, Resource r, DestinationRule dr, Findings out) {
    var service = index.lookup(dr.host(), r.namespace());
    if (service == null) {
      return;
    }
    var workloads = index.workloadsOf(service);
    if (workloads.isEmpty()) {
      return;
    }
    for (int i = 0; i < dr.subsets().size(); i++) {
      var subset = dr.subsets().get(i);
      if (workloads.stream().noneMatch(w -> MeshIndex.contains(w.labels(), subset.labels()))) {
        out.add(Code.SUBSET_SELECTS_NO_WORKLOAD, r, "spec.subsets[" + i + "].labels",
            "subset " + subset.name() + " selects no workload of " + service.hosts().getFirst() + " (labels " + subset.labels()
                + "); traffic routed to it gets 503 until such a workload runs");
      }
    }
  }
}
