package io.meshwork.control.registry;

import io.meshwork.config.HostNames;
import io.meshwork.config.kube.KubeKinds;
import io.meshwork.config.kube.Pod;
import io.meshwork.config.kube.ServiceSpec;
import io.meshwork.config.networking.NetworkingKinds;
import io.meshwork.config.networking.ServiceEntry;
import io.meshwork.config.networking.WorkloadEntry;
import io.meshwork.control.store.ConfigStore;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Services and endpoints at one store revision. Immutable; rebuilt for each push. Hosts are
 * looked up the Kubernetes way ({@code reviews} from namespace {@code default} is
 * {@code reviews.default.svc.cluster.local}). When two resources declare one host, the first
 * declared wins (Kubernetes Services before ServiceEntries), as Istio prefers the older one.
 */
public final class Registry {
  private final Map<String, MeshService> services;
  private final List<Workload> workloads;
  private final List<MeshService> serviceList;
  /** Workloads by namespace: a selector only matches workloads of its service's namespace. */
  private final Map<String, List<Workload>> workloadsByNamespace = new java.util.HashMap<>();
  /** Workloads by namespace and one label ({@code ns\0key=value}): a selector's candidates without a scan of every workload. */
  private final Map<String, List<Workload>> workloadsByLabel = new java.util.HashMap<>();
  private final Map<String, List<Endpoint>> endpointCache = new java.util.concurrent.ConcurrentHashMap<>();

  /**
   * The kinds the registry is built from ({@code group/kind}). A store change that touches none of
   * them leaves the registry as it was, so the next push reuses it (and its endpoint cache).
   */
  public static final java.util.Set<String> SOURCE_KINDS = java.util.Set.of(
      NetworkingKinds.GROUP + "/WorkloadEntry", NetworkingKinds.GROUP + "/ServiceEntry", "/Service", "/Pod");

  private Registry(Map<String, MeshService> services, List<Workload> workloads) {
    this.services = services;
    this.workloads = workloads;
    this.serviceList = List.copyOf(services.values());
    for (var w : workloads) {
      workloadsByNamespace.computeIfAbsent(w.namespace(), k -> new ArrayList<>()).add(w);
      w.labels().forEach((k, v) -> workloadsByLabel.computeIfAbsent(w.namespace() + "\0" + k + "=" + v, x -> new ArrayList<>()).add(w));
    }
  }

  public static Registry of(ConfigStore.Snapshot snap) {
    var workloads = new ArrayList<Workload>();
    for (var we : snap.specs(NetworkingKinds.GROUP, "WorkloadEntry", WorkloadEntry.class)) {
      var e = we.spec();
      var ports = new LinkedHashMap<String, Integer>();
      e.ports().forEach((k, v) -> ports.put(k, v.intValue()));
      workloads.add(new Workload(we.name(), we.namespace(), e.address(), labelsOf(e.labels(), we.resource().metadata().labels()),
          ports, e.weight() == null ? 1 : e.weight().intValue(), nz(e.locality()), nz(e.serviceAccount()), true));
    }
    for (var p : snap.specs("", "Pod", Pod.class)) {
      var status = p.spec().status();
      if (status == null || status.podIP() == null || status.podIP().isEmpty()) {
        continue;
      }
      var ports = new LinkedHashMap<String, Integer>();
      for (var c : p.spec().spec().containers()) {
        for (var cp : c.ports()) {
          if (cp.name() != null) {
            ports.put(cp.name(), cp.containerPort());
          }
        }
      }
      boolean healthy = status.phase() == null || status.ready() || status.conditions().isEmpty();
      workloads.add(new Workload(p.name(), p.namespace(), status.podIP(), p.resource().metadata().labels(), ports, 1, "",
          p.spec().spec().effectiveServiceAccount(), healthy));
    }
    var services = new LinkedHashMap<String, MeshService>();
    for (var s : snap.specs("", "Service", ServiceSpec.class)) {
      var spec = s.spec();
      if (spec.type() == ServiceSpec.Type.ExternalName) {
        continue;
      }
      var host = s.name() + "." + s.namespace() + ".svc." + HostNames.DEFAULT_DOMAIN;
      var ports = new ArrayList<ServicePortInfo>();
      for (var p : spec.ports()) {
        var t = p.targetPort();
        ports.add(new ServicePortInfo(nz(p.name()), p.port(), ServicePortInfo.protocolOrAuto(p.appProtocol(), p.name()),
            t != null && t.isInt() ? t.intValue() : 0, t != null && !t.isInt() ? t.strValue() : null));
      }
      var vips = spec.clusterIP() == null || spec.headless() ? List.<String>of() : List.of(spec.clusterIP());
      var exportTo = exportToOf(s.resource().metadata().annotations());
      services.putIfAbsent(host, new MeshService(host, s.namespace(), ports, spec.selector().isEmpty() ? null : spec.selector(),
          "STATIC", false, vips, exportTo, Map.of(), s.resource().toString()));
    }
    for (var se : snap.specs(NetworkingKinds.GROUP, "ServiceEntry", ServiceEntry.class)) {
      var spec = se.spec();
      var ports = new ArrayList<ServicePortInfo>();
      for (var p : spec.ports()) {
        ports.add(new ServicePortInfo(p.name(), p.number().intValue(), ServicePortInfo.protocolOrAuto(p.protocol(), p.name()),
            p.targetPort() == null ? 0 : p.targetPort().intValue(), null));
      }
      var res = spec.effectiveResolution().name();
      var selector = spec.workloadSelector() == null ? null : spec.workloadSelector().labels();
      for (var h : spec.hosts()) {
        var statics = new LinkedHashMap<Integer, List<Endpoint>>();
        for (var e : spec.endpoints()) {
          var labels = e.labels();
          for (var p : ports) {
            var port = e.ports().containsKey(p.name()) ? e.ports().get(p.name()).intValue() : p.targetPort() > 0 ? p.targetPort() : p.number();
            statics.computeIfAbsent(p.number(), k -> new ArrayList<>()).add(new Endpoint(e.address(), port, labels, e.weight() == null ? 1 : e.weight().intValue(), nz(e.locality()),
                se.resource().toString(), true));
          }
        }
        var host = h.toLowerCase(java.util.Locale.ROOT);
        services.putIfAbsent(host, new MeshService(host, se.namespace(), ports, selector, res,
            spec.location() == ServiceEntry.Location.MESH_EXTERNAL, spec.addresses(), spec.exportTo(), statics, se.resource().toString()));
      }
    }
    return new Registry(services, List.copyOf(workloads));
  }

  private static List<String> exportToOf(Map<String, String> annotations) {
    var v = annotations.get("networking.istio.io/exportTo");
    return v == null ? List.of() : List.of(v.split(","));
  }

  private static Map<String, String> labelsOf(Map<String, String> spec, Map<String, String> meta) {
    if (!spec.isEmpty()) {
      return spec;
    }
    return meta;
  }

  private static String nz(String s) {
    return s == null ? "" : s;
  }

  public List<MeshService> services() {
    return serviceList;
  }

  /**
   * The services of namespace {@code ns} whose selector may pick a workload with {@code labels}
   * (those indexed under one of its labels), in registry order; callers still check the whole
   * selector. Each proxy's inbound side asks this, and scanning all 1,000 services per proxy was a
   * tenth of a push.
   */
  public List<MeshService> selectorCandidates(String ns, Map<String, String> labels) {
    var index = servicesBySelectorLabel();
    var out = new java.util.TreeMap<Integer, MeshService>();
    labels.forEach((k, v) -> {
      for (var svc : index.getOrDefault(ns + "\0" + k + "=" + v, List.of())) {
        out.put(position().get(svc.hostname()), svc);
      }
    });
    return List.copyOf(out.values());
  }

  private volatile Map<String, List<MeshService>> selectorIndex;
  private volatile Map<String, Integer> positions;

  private Map<String, Integer> position() {
    var p = positions;
    if (p == null) {
      var m = new java.util.HashMap<String, Integer>();
      for (int i = 0; i < serviceList.size(); i++) {
        m.put(serviceList.get(i).hostname(), i);
      }
      positions = p = m;
    }
    return p;
  }

  private Map<String, List<MeshService>> servicesBySelectorLabel() {
    var idx = selectorIndex;
    if (idx == null) {
      var m = new java.util.HashMap<String, List<MeshService>>();
      for (var svc : serviceList) {
        if (svc.selector() != null && !svc.selector().isEmpty()) {
          svc.selector().forEach((k, v) -> m.computeIfAbsent(svc.namespace() + "\0" + k + "=" + v, x -> new ArrayList<>()).add(svc));
        }
      }
      selectorIndex = idx = m;
    }
    return idx;
  }

  public List<Workload> workloads() {
    return workloads;
  }

  /** The service a host written in namespace {@code ns} names, or null. */
  public MeshService resolve(String host, String ns) {
    for (var c : HostNames.candidates(host, ns)) {
      var s = services.get(c);
      if (s != null) {
        return s;
      }
    }
    return null;
  }

  public MeshService service(String fqdn) {
    return services.get(fqdn);
  }

  /** The endpoints of one port of a service, filtered by subset labels (empty map: all). */
  public List<Endpoint> endpoints(MeshService svc, ServicePortInfo port, Map<String, String> subsetLabels) {
    // Computed once per service port for this registry (one push), then filtered per subset.
    var all = endpointCache.computeIfAbsent(svc.hostname() + ":" + port.number(), k -> allEndpoints(svc, port));
    if (subsetLabels.isEmpty()) {
      return all;
    }
    return all.stream().filter(e -> matches(subsetLabels, e.labels())).toList();
  }

  private List<Endpoint> allEndpoints(MeshService svc, ServicePortInfo port) {
    Map<String, String> subsetLabels = Map.of();
    var out = new ArrayList<Endpoint>();
    for (var e : svc.staticEndpoints().getOrDefault(port.number(), List.of())) {
      if (matches(subsetLabels, e.labels())) {
        out.add(e);
      }
    }
    if (svc.selector() != null) {
      for (var w : candidates(svc.namespace(), svc.selector())) {
        if (!matches(svc.selector(), w.labels()) || !matches(subsetLabels, w.labels())) {
          continue;
        }
        out.add(new Endpoint(w.address(), targetPort(port, w), w.labels(), w.weight(), w.locality(), w.namespace() + "/" + w.name(), w.healthy()));
      }
    } else if (svc.staticEndpoints().isEmpty() && (svc.resolution().equals("DNS") || svc.resolution().equals("DNS_ROUND_ROBIN"))) {
      out.add(new Endpoint(svc.hostname(), port.targetPort() > 0 ? port.targetPort() : port.number(), Map.of(), 1, "", "dns", true));
    }
    return List.copyOf(out);
  }

  /** The workloads of a namespace that may match a selector: those carrying its first label (all of the namespace for an empty selector). */
  private List<Workload> candidates(String ns, Map<String, String> selector) {
    if (selector.isEmpty()) {
      return workloadsByNamespace.getOrDefault(ns, List.of());
    }
    var first = selector.entrySet().iterator().next();
    return workloadsByLabel.getOrDefault(ns + "\0" + first.getKey() + "=" + first.getValue(), List.of());
  }

  static int targetPort(ServicePortInfo port, Workload w) {
    if (!port.name().isEmpty() && w.ports().containsKey(port.name())) {
      return w.ports().get(port.name());
    }
    if (port.targetPort() > 0) {
      return port.targetPort();
    }
    if (port.targetName() != null && w.ports().containsKey(port.targetName())) {
      return w.ports().get(port.targetName());
    }
    return port.number();
  }

  static boolean matches(Map<String, String> selector, Map<String, String> labels) {
    for (var e : selector.entrySet()) {
      if (!e.getValue().equals(labels.get(e.getKey()))) {
        return false;
      }
    }
    return true;
  }
}
