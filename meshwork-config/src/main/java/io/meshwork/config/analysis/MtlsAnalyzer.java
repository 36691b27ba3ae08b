package io.meshwork.config.analysis;

import io.meshwork.config.Resource;
import io.meshwork.config.networking.ClientTLSSettings.TLSmode;
import io.meshwork.config.networking.DestinationRule;
import io.meshwork.config.security.PeerAuthentication;
import io.meshwork.config.security.PeerAuthentication.Mode;
import java.util.List;
import java.util.Map;

/**
 * A DestinationRule whose client TLS mode the destination's PeerAuthentication refuses: ISTIO_MUTUAL
 * towards workloads whose mTLS is DISABLE, or DISABLE towards workloads that are STRICT. Every
 * request then fails. The effective PeerAuthentication mode follows Istio's precedence: workload
 * selector, then namespace, then the root namespace, then PERMISSIVE.
 */
final class MtlsAnalyzer implements Analyzer {
  @Override
  public void analyze(MeshIndex index, Findings out) {
    var policies = index.ofKind("security.istio.io", "PeerAuthentication");
    if (policies.isEmpty()) {
      return;
    }
    for (var r : index.ofKind("networking.istio.io", "DestinationRule")) {
      var dr = r.spec(DestinationRule.class);
      var service = index.lookup(dr.host(), r.namespace());
      if (service == null || !service.kube()) {
        continue;
      }
      check(index, policies, r, service, "spec.trafficPolicy.tls.mode", tlsMode(dr.trafficPolicy()), Map.of(), out);
      for (int i = 0; i < dr.subsets().size(); i++) {
        var subset = dr.subsets().get(i);
        var mode = tlsMode(subset.trafficPolicy());
        if (mode != null) {
          check(index, policies, r, service, "spec.subsets[" + i + "].trafficPolicy.tls.mode", mode, subset.labels(), out);
        }
      }
    }
  }

  private static TLSmode tlsMode(io.meshwork.config.networking.TrafficPolicy p) {
    return p == null || p.tls() == null ? null : p.tls().mode();
  }

  private static void check(MeshIndex index, List<Resource> policies, Resource dr, MeshIndex.Service service, String path,
      TLSmode mode, Map<String, String> subsetLabels, Findings out) {
    if (mode != TLSmode.ISTIO_MUTUAL && mode != TLSmode.DISABLE) {
      return;
    }
    var workloads = index.workloadsOf(service).stream().filter(w -> MeshIndex.contains(w.labels(), subsetLabels)).toList();
    var modes = workloads.isEmpty()
        ? List.of(effective(policies, service.namespace(), null))
        : workloads.stream().map(w -> effective(policies, w.namespace(), w.labels())).distinct().toList();
    for (var m : modes) {
      if (mode == TLSmode.ISTIO_MUTUAL && m == Mode.DISABLE) {
        out.add(Code.MTLS_CONFLICT, dr, path, "clients originate mTLS (ISTIO_MUTUAL) to " + service.hosts().getFirst()
            + ", but its PeerAuthentication mode is DISABLE, so the server side refuses it and every request fails");
        return;
      }
      if (mode == TLSmode.DISABLE && m == Mode.STRICT) {
        out.add(Code.MTLS_CONFLICT, dr, path, "clients send plaintext (tls mode DISABLE) to " + service.hosts().getFirst()
            + ", but its PeerAuthentication mode is STRICT, so the server side refuses it and every request fails");
        return;
      }
    }
  }

  /** The mode that applies to a workload with these labels (or to the namespace when labels are null). */
  static Mode effective(List<Resource> policies, String ns, Map<String, String> labels) {
    Mode workload = null;
    Mode namespace = null;
    Mode mesh = null;
    for (var r : policies) {
      var pa = r.spec(PeerAuthentication.class);
      var mode = pa.mtls() == null || pa.mtls().mode() == null ? Mode.UNSET : pa.mtls().mode();
      boolean hasSelector = pa.selector() != null && !pa.selector().matchLabels().isEmpty();
      if (r.namespace().equals(ns) && hasSelector) {
        if (labels != null && pa.selector().matches(labels) && mode != Mode.UNSET) {
          workload = mode;
        }
      } else if (r.namespace().equals(ns) && !hasSelector && mode != Mode.UNSET) {
        namespace = mode;
      } else if (r.namespace().equals(MeshIndex.ROOT_NAMESPACE) && !hasSelector && mode != Mode.UNSET) {
        mesh = mode;
      }
    }
    return workload != null ? workload : namespace != null ? namespace : mesh != null ? mesh : Mode.PERMISSIVE;
  }
}
