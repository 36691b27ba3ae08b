package io.meshwork.config.analysis;

import io.meshwork.config.HostNames;
import io.meshwork.config.Resource;
import io.meshwork.config.ResourceKey;
import io.meshwork.config.kube.DeploymentSpec;
import io.meshwork.config.kube.KubeKinds;
import io.meshwork.config.kube.Pod;
import io.meshwork.config.kube.ServiceSpec;
import io.meshwork.config.networking.ServiceEntry;
import io.meshwork.config.networking.WorkloadEntry;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the analyzers know of the mesh from their input alone: services (Kubernetes Services and
 * ServiceEntries), workloads (Pods, Deployments' pod templates, WorkloadEntries, ServiceEntry
 * endpoints), namespaces and service accounts.
 */
final class MeshIndex {
  /** Istio's root namespace: mesh-wide policies live there. */
  static final String ROOT_NAMESPACE = "istio-system";

  /** A service: its FQDN patterns and how its workloads are found. */
  record Service(Resource source, String namespace, List<String> hosts, Map<String, String> selector, List<Map<String, String>> endpointLabels) {
    boolean kube() {
      return source.kind() == KubeKinds.SERVICE;
    }
  }

  /** A workload: where it was declared, its labels and identity. */
  record Workload(ResourceKey source, String namespace, Map<String, String> labels, String serviceAccount) {}

  private final List<Resource> resources;
  private final List<Resource> replaced;
  private final List<Service> services = new ArrayList<>();
  private final List<Workload> workloads = new ArrayList<>();
  private final Set<String> namespaces = new HashSet<>();
  private final Set<String> namespacesWithServices = new HashSet<>();
  private final Set<String> serviceAccounts = new HashSet<>();

  MeshIndex(List<Resource> resources) {
    this(resources, List.of());
  }

  /**
   * @param resources the resources in force
   * @param replaced earlier versions of some of them that the input also held (see ANALYSIS.md)
   */
  MeshIndex(List<Resource> resources, List<Resource> replaced) {
    this.resources = List.copyOf(resources);
    this.replaced = List.copyOf(replaced);
    for (var r : resources) {
      if (r.kind().namespaced()) {
        namespaces.add(r.namespace());
      }
      switch (r.kind().kind()) {
        case "Namespace" -> namespaces.add(r.name());
        case "ServiceAccount" -> serviceAccounts.add(r.namespace() + "/" + r.name());
        case "Service" -> {
          if (r.kind() == KubeKinds.SERVICE) {
            var spec = r.spec(ServiceSpec.class);
            services.add(new Service(r, r.namespace(), List.of(HostNames.fqdn(r.name(), r.namespace())), spec.selector(), List.of()));
            namespacesWithServices.add(r.namespace());
          }
        }
        case "ServiceEntry" -> addServiceEntry(r);
        case "Pod" -> {
          var pod = r.spec(Pod.class);
          addWorkload(r.key(), r.namespace(), r.metadata().labels(), pod.spec().effectiveServiceAccount());
        }
        case "Deployment" -> {
          var d = r.spec(DeploymentSpec.class);
          addWorkload(r.key(), r.namespace(), d.template().labels(), d.template().spec().effectiveServiceAccount());
        }
        case "WorkloadEntry" -> {
          if (r.spec() instanceof WorkloadEntry we) {
            addWorkload(r.key(), r.namespace(), we.labels(), we.serviceAccount() == null ? "default" : we.serviceAccount());
          }
        }
        default -> {}
      }
    }
  }

  private void addServiceEntry(Resource r) {
    if (!(r.spec() instanceof ServiceEntry se)) {
      return;
    }
    var hosts = se.hosts().stream().map(h -> h.contains(".") || h.startsWith("*") ? h.toLowerCase(java.util.Locale.ROOT) : HostNames.fqdn(h, r.namespace())).toList();
    var endpointLabels = new ArrayList<Map<String, String>>();
    for (var ep : se.endpoints()) {
      endpointLabels.add(ep.labels());
      addWorkload(r.key(), r.namespace(), ep.labels(), ep.serviceAccount() == null ? "default" : ep.serviceAccount());
    }
    Map<String, String> selector = se.workloadSelector() == null ? null : se.workloadSelector().labels();
    services.add(new Service(r, r.namespace(), hosts, selector, endpointLabels));
    namespacesWithServices.add(r.namespace());
  }

  private void addWorkload(ResourceKey key, String ns, Map<String, String> labels, String sa) {
    workloads.add(new Workload(key, ns, labels == null ? Map.of() : labels, sa));
    serviceAccounts.add(ns + "/" + sa);
  }

  List<Resource> resources() {
    return resources;
  }

  /** Earlier versions of resources of a kind that later documents of the input replaced. */
  List<Resource> replacedOfKind(String group, String kind) {
    return replaced.stream().filter(r -> r.kind().group().equals(group) && r.kind().kind().equals(kind)).toList();
  }

  List<Resource> ofKind(String group, String kind) {
    return resources.stream().filter(r -> r.kind().group().equals(group) && r.kind().kind().equals(kind)).toList();
  }

  List<Service> services() {
    return services;
  }

  List<Workload> workloads() {
    return workloads;
  }

  /** Every namespace the input mentions. */
  boolean knowsNamespace(String ns) {
    return namespaces.contains(ns);
  }

  /** Whether the input declares any service in {@code ns}; if not, a missing host there may just be missing input. */
  boolean hasServicesIn(String ns) {
    return namespacesWithServices.contains(ns);
  }

  boolean knowsServiceAccount(String ns, String sa) {
    return serviceAccounts.contains(ns + "/" + sa);
  }

  /** The service a host written in namespace {@code ns} refers to, or null. */
  Service lookup(String host, String ns) {
    for (var candidate : HostNames.candidates(host, ns)) {
      for (var s : services) {
        for (var h : s.hosts()) {
          if (HostNames.matches(h, candidate)) {
            return s;
          }
        }
      }
    }
    return null;
  }

  /** The workloads behind a service: selected pods/deployments/entries in its namespace, or its endpoints. */
  List<Workload> workloadsOf(Service s) {
    if (s.selector() == null || s.selector().isEmpty()) {
      var out = new ArrayList<Workload>();
      for (var labels : s.endpointLabels()) {
        out.add(new Workload(s.source().key(), s.namespace(), labels, "default"));
      }
      return out;
    }
    return workloads.stream().filter(w -> w.namespace().equals(s.namespace()) && contains(w.labels(), s.selector())).toList();
  }

  /** Workloads in {@code ns} (any namespace when null) whose labels include {@code selector}. */
  List<Workload> select(String ns, Map<String, String> selector) {
    return workloads.stream().filter(w -> (ns == null || w.namespace().equals(ns)) && contains(w.labels(), selector)).toList();
  }

  static boolean contains(Map<String, String> labels, Map<String, String> selector) {
    for (var e : selector.entrySet()) {
      if (!e.getValue().equals(labels.get(e.getKey()))) {
        return false;
      }
    }
    return true;
  }

  /** Groups values by a key, keeping first-seen order. */
  static <K, V> Map<K, List<V>> group(List<V> values, java.util.function.Function<V, K> key) {
    var out = new LinkedHashMap<K, List<V>>();
    for (var v : values) {
      out.computeIfAbsent(key.apply(v), k -> new ArrayList<>()).add(v);
    }
    return out;
  }
}
