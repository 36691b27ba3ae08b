package io.meshwork.security.mtls;

import io.meshwork.config.security.PeerAuthentication.Mode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Istio's PeerAuthentication precedence. For a workload in namespace {@code ns} with labels:
 * <ol>
 *   <li>the workload policy: in {@code ns}, with a selector matching the labels;
 *   <li>the namespace policy: in {@code ns}, without a selector;
 *   <li>the mesh policy: in the root namespace, without a selector;
 *   <li>PERMISSIVE when none sets a mode.
 * </ol>
 * A mode of UNSET (or no {@code mtls}) inherits from the next level. {@code portLevelMtls} of the
 * workload policy overrides per port; UNSET there inherits the workload's mode. When several
 * policies qualify at one level, the oldest wins (then the lowest name), as in Istio.
 */
public final class PeerAuthenticationResolver {
  private static final Comparator<PeerPolicy> OLDEST_FIRST = Comparator
      .comparing(PeerPolicy::created, Comparator.nullsLast(Comparator.<Instant>naturalOrder()))
      .thenComparing(PeerPolicy::namespace).thenComparing(PeerPolicy::name);

  private final String rootNamespace;
  private final List<PeerPolicy> policies;

  private PeerAuthenticationResolver(String rootNamespace, List<PeerPolicy> policies) {
    this.rootNamespace = rootNamespace;
    this.policies = policies;
  }

  /** A resolver over every PeerAuthentication in the mesh; {@code rootNamespace} is usually {@code istio-system}. */
  public static PeerAuthenticationResolver of(String rootNamespace, List<PeerPolicy> policies) {
    var sorted = new ArrayList<>(policies);
    sorted.sort(OLDEST_FIRST);
    return new PeerAuthenticationResolver(rootNamespace, List.copyOf(sorted));
  }

  /** The effective settings of a workload. */
  public EffectiveMtls resolve(String namespace, Map<String, String> labels) {
    var workload = policies.stream().filter(p -> p.namespace().equals(namespace) && !p.namespaceWide() && matches(p, labels)).findFirst();
    var ns = policies.stream().filter(p -> p.namespace().equals(namespace) && p.namespaceWide()).findFirst();
    var mesh = policies.stream().filter(p -> p.namespace().equals(rootNamespace) && p.namespaceWide()).findFirst();
    Mode mode = Mode.PERMISSIVE;
    String source = "default";
    for (var level : List.of(workload, ns, mesh)) {
      var m = mode(level);
      if (m != null) {
        mode = m;
        source = level.get().namespace() + "/" + level.get().name();
        break;
      }
    }
    var ports = new HashMap<Integer, Mode>();
    if (workload.isPresent()) {
      workload.get().spec().portLevelMtls().forEach((port, tls) -> {
        if (tls != null && tls.mode() != null && tls.mode() != Mode.UNSET) {
          ports.put(port, tls.mode());
        }
      });
    }
    return new EffectiveMtls(mode, ports, source);
  }

  private static Mode mode(Optional<PeerPolicy> p) {
    if (p.isEmpty() || p.get().spec().mtls() == null) {
      return null;
    }
    var m = p.get().spec().mtls().mode();
    return m == null || m == Mode.UNSET ? null : m;
  }

  private static boolean matches(PeerPolicy p, Map<String, String> labels) {
    for (var e : p.spec().selector().matchLabels().entrySet()) {
      if (!e.getValue().equals(labels.get(e.getKey()))) {
        return false;
      }
    }
    return true;
  }
}
