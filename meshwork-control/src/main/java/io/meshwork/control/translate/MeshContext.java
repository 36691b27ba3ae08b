package io.meshwork.control.translate;

import io.meshwork.config.HostNames;
import io.meshwork.config.networking.DestinationRule;
import io.meshwork.config.networking.Gateway;
import io.meshwork.config.networking.NetworkingKinds;
import io.meshwork.config.networking.Sidecar;
import io.meshwork.config.networking.VirtualService;
import io.meshwork.control.registry.MeshService;
import io.meshwork.control.registry.Registry;
import io.meshwork.control.store.ConfigStore;
import io.meshwork.xds.client.NodeInfo;
import java.util.List;

/**
 * Everything translation reads at one store revision: the registry and the routing resources, in
 * store order (the first written of two conflicting resources wins, as Istio prefers the oldest).
 *
 * @param memo values shared by the translations of one revision (see {@link #memo})
 * @param allowAny the mesh-wide outbound traffic policy: ALLOW_ANY (true) or REGISTRY_ONLY
 */
public record MeshContext(
    java.util.concurrent.ConcurrentHashMap<Object, Object> memo,
    long revision,
    ConfigStore.Snapshot snapshot,
    Registry registry,
    List<ConfigStore.Typed<VirtualService>> virtualServices,
    List<ConfigStore.Typed<DestinationRule>> destinationRules,
    List<ConfigStore.Typed<Gateway>> gateways,
    List<ConfigStore.Typed<Sidecar>> sidecars,
    boolean allowAny) {

  public static MeshContext of(ConfigStore.Snapshot snap, boolean allowAny) {
    var g = NetworkingKinds.GROUP;
    return new MeshContext(new java.util.concurrent.ConcurrentHashMap<>(), snap.revision(), snap, Registry.of(snap),
        snap.specs(g, "VirtualService", VirtualService.class),
        snap.specs(g, "DestinationRule", DestinationRule.class),
        snap.specs(g, "Gateway", Gateway.class),
        snap.specs(g, "Sidecar", Sidecar.class),
        allowAny);
  }

  /**
   * The mesh view at {@code snap}, reusing what the change since {@code prev} cannot have touched.
   * A push after a routing change (the common case: a VirtualService or DestinationRule edited) then
   * costs the services it names, not the whole mesh:
   *
   * <ul>
   *   <li>the registry (and its endpoint cache) is kept unless a Service, ServiceEntry,
   *       WorkloadEntry or Pod changed;
   *   <li>when only VirtualServices and DestinationRules changed, the previous revision's per-service
   *       clusters ({@code clusters}, which read DestinationRules) are kept for every host no changed
   *       DestinationRule names, and its virtual hosts ({@code vhost}, which read VirtualServices and,
   *       for hash policies, any DestinationRule) for every host no changed VirtualService names,
   *       as long as no DestinationRule and no delegate VirtualService changed.
   * </ul>
   *
   * Everything else (route configurations, listeners, per-proxy parts) is rebuilt, from the kept
   * protos, so unchanged resources keep their identity and their cached hash.
   */
  public static MeshContext next(MeshContext prev, ConfigStore.Snapshot snap, boolean allowAny) {
    if (prev != null && prev.allowAny == allowAny && snap.revision() == prev.revision() && snap == prev.snapshot()) {
      return prev; // nothing changed (e.g. a proxy's connection already brought the view up to date)
    }
    if (prev == null || prev.allowAny != allowAny || snap.revision() <= prev.revision()) {
      return of(snap, allowAny);
    }
    var changed = changedBetween(prev.snapshot(), snap);
    boolean registryKept = changed.stream().noneMatch(r -> Registry.SOURCE_KINDS.contains(r.kind().group() + "/" + r.kind().kind()));
    var g = NetworkingKinds.GROUP;
    var ctx = new MeshContext(new java.util.concurrent.ConcurrentHashMap<>(), snap.revision(), snap,
        registryKept ? prev.registry() : Registry.of(snap),
        snap.specs(g, "VirtualService", VirtualService.class),
        snap.specs(g, "DestinationRule", DestinationRule.class),
        snap.specs(g, "Gateway", Gateway.class),
        snap.specs(g, "Sidecar", Sidecar.class),
        allowAny);
    if (registryKept) {
      carryOver(prev, ctx, changed);
    }
    // Each scope's shared outbound view of the previous revision: a new view equal to it is
    // replaced by it, so unchanged types keep their identity and a push can skip comparing them.
    for (var e : prev.memo().entrySet()) {
      if (e.getKey() instanceof List<?> key && !key.isEmpty() && Translator.OUTBOUND.equals(key.getFirst())) {
        ctx.memo().put(List.of(Translator.PREVIOUS, key), e.getValue());
      }
    }
    return ctx;
  }

  /** The resources added, changed or removed between two snapshots (old and new versions both). */
  static List<io.meshwork.config.Resource> changedBetween(ConfigStore.Snapshot a, ConfigStore.Snapshot b) {
    var out = new java.util.ArrayList<io.meshwork.config.Resource>();
    b.resources().forEach((k, r) -> {
      var old = a.resources().get(k);
      if (old != r) {
        out.add(r);
        if (old != null) {
          out.add(old);
        }
      }
    });
    a.resources().forEach((k, r) -> {
      if (!b.resources().containsKey(k)) {
        out.add(r);
      }
    });
    return out;
  }

  private static void carryOver(MeshContext prev, MeshContext next, List<io.meshwork.config.Resource> changed) {
    var vsHosts = new java.util.ArrayList<String>();
    var drHosts = new java.util.ArrayList<String>();
    boolean keepVhosts = true;
    for (var r : changed) {
      var kind = r.kind();
      if (!kind.group().equals(NetworkingKinds.GROUP)) {
        return;
      }
      if (kind.kind().equals("VirtualService")) {
        var vs = r.spec(VirtualService.class);
        keepVhosts &= !vs.isDelegate();
        vs.hosts().forEach(h -> vsHosts.addAll(HostNames.candidates(h, r.namespace())));
      } else if (kind.kind().equals("DestinationRule")) {
        keepVhosts = false;
        drHosts.addAll(HostNames.candidates(r.spec(DestinationRule.class).host(), r.namespace()));
      } else {
        return;
      }
    }
    for (var e : prev.memo().entrySet()) {
      if (!(e.getKey() instanceof List<?> key) || key.size() < 2 || !(key.get(1) instanceof String host)) {
        continue;
      }
      boolean keep = switch (key.getFirst() instanceof String s ? s : "") {
        case "clusters" -> drHosts.stream().noneMatch(p -> HostNames.matches(p, host));
        case "vhost" -> keepVhosts && vsHosts.stream().noneMatch(p -> HostNames.matches(p, host));
        default -> false;
      };
      if (keep) {
        next.memo().putIfAbsent(e.getKey(), e.getValue());
      }
    }
  }

  /**
   * Memoizes a value for this revision. Translations of different proxies share what does not depend
   * on the proxy (a service's clusters for a namespace, its virtual host), so one push builds and
   * hashes each shared resource once, and proxies hold references to the same protos.
   */
  @SuppressWarnings("unchecked")
  public <T> T memo(Object key, java.util.function.Supplier<T> build) {
    var v = memo.get(key);
    if (v == null) {
      v = build.get();
      var prior = memo.putIfAbsent(key, v);
      if (prior != null) {
        v = prior;
      }
    }
    return (T) v;
  }

  /** The DestinationRule for a service host as seen from namespace {@code ns}: exact host first, then wildcards. */
  public ConfigStore.Typed<DestinationRule> destinationRule(String fqdn, String ns) {
    ConfigStore.Typed<DestinationRule> wildcard = null;
    for (var dr : destinationRules) {
      if (!exported(dr.spec().exportTo(), dr.namespace(), ns) || dr.spec().workloadSelector() != null) {
        continue;
      }
      var host = HostNames.fqdn(dr.spec().host(), dr.namespace());
      if (host.equals(fqdn)) {
        return dr;
      }
      if (wildcard == null && host.startsWith("*") && HostNames.matches(host, fqdn)) {
        wildcard = dr;
      }
    }
    return wildcard;
  }

  /** The VirtualService that routes {@code svc} for sidecars of namespace {@code ns}, or null. */
  public ConfigStore.Typed<VirtualService> meshVirtualService(MeshService svc, String ns) {
    for (var vs : virtualServices) {
      if (!vs.spec().appliesToMesh() || vs.spec().isDelegate() || !exported(vs.spec().exportTo(), vs.namespace(), ns)) {
        continue;
      }
      for (var h : vs.spec().hosts()) {
        if (HostNames.matches(HostNames.fqdn(h, vs.namespace()), svc.hostname())) {
          return vs;
        }
      }
    }
    return null;
  }

  /** A delegate VirtualService by name. */
  public VirtualService delegate(String name, String ns) {
    for (var vs : virtualServices) {
      if (vs.name().equals(name) && vs.namespace().equals(ns) && vs.spec().isDelegate()) {
        return vs.spec();
      }
    }
    return null;
  }

  /** The Sidecar resource scoping a proxy: one selecting its labels, else the namespace-wide one. */
  public Sidecar sidecarFor(NodeInfo node) {
    Sidecar nsWide = null;
    for (var s : sidecars) {
      if (!s.namespace().equals(node.namespace())) {
        continue;
      }
      var sel = s.spec().workloadSelector();
      if (sel == null) {
        nsWide = nsWide == null ? s.spec() : nsWide;
      } else if (sel.matches(node.labels())) {
        return s.spec();
      }
    }
    return nsWide;
  }

  static boolean exported(List<String> exportTo, String ownNs, String ns) {
    return exportTo.isEmpty() || exportTo.contains("*") || exportTo.contains(ns) || (exportTo.contains(".") && ownNs.equals(ns));
  }
}
