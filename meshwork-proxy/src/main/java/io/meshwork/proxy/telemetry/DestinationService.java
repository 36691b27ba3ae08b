package io.meshwork.proxy.telemetry;

/**
 * The {@code destination_service*} labels: host ({@code reviews.default.svc.cluster.local}), short
 * name and namespace. Derived once per cluster (outbound, and inbound clusters whose metadata names
 * their service, as Istio's do) or per Host header value (other inbound).
 */
public record DestinationService(String host, String name, String namespace) {
  public static final DestinationService UNKNOWN =
      new DestinationService(WorkloadMetadata.UNKNOWN, WorkloadMetadata.UNKNOWN, WorkloadMetadata.UNKNOWN);

  /**
   * From an Istio cluster name: {@code outbound|9080|v1|reviews.default.svc.cluster.local} gives the
   * host, {@code reviews} and {@code default}; other clusters ({@code PassthroughCluster},
   * {@code BlackHoleCluster}, static ones) give their name as service name, as Istio does.
   */
  public static DestinationService ofCluster(String cluster) {
    if (cluster == null || cluster.isEmpty()) {
      return UNKNOWN;
    }
    var parts = cluster.split("\\|", -1);
    if (parts.length == 4 && parts[0].equals("outbound") && !parts[3].isEmpty()) {
      return ofHost(parts[3], null);
    }
    return new DestinationService(WorkloadMetadata.UNKNOWN, cluster, WorkloadMetadata.UNKNOWN);
  }

  /**
   * From a cluster's {@code filter_metadata.istio.services} (what Istio writes on inbound clusters:
   * the services whose selector picks this workload on that port), the first entry with a host.
   */
  public static java.util.Optional<DestinationService> ofClusterMetadata(io.envoyproxy.envoy.config.cluster.v3.Cluster c) {
    var istio = c.getMetadata().getFilterMetadataMap().get("istio");
    var list = istio == null ? null : istio.getFieldsMap().get("services");
    if (list == null || !list.hasListValue()) {
      return java.util.Optional.empty();
    }
    for (var v : list.getListValue().getValuesList()) {
      if (!v.hasStructValue()) {
        continue;
      }
      var f = v.getStructValue().getFieldsMap();
      var host = f.containsKey("host") ? f.get("host").getStringValue() : "";
      if (!host.isEmpty()) {
        var name = f.containsKey("name") ? f.get("name").getStringValue() : "";
        var ns = f.containsKey("namespace") ? f.get("namespace").getStringValue() : "";
        return java.util.Optional.of(new DestinationService(host, name.isEmpty() ? host : name,
            ns.isEmpty() ? WorkloadMetadata.UNKNOWN : ns));
      }
    }
    return java.util.Optional.empty();
  }

  /**
   * From a host name: a Kubernetes service name ({@code reviews}, {@code reviews.default},
   * {@code reviews.default.svc}, or the FQDN) becomes the FQDN with name and namespace, short forms
   * resolved in {@code localNamespace}; other hosts (IP addresses, external names) keep the host
   * with the name equal to the host and an unknown namespace.
   */
  public static DestinationService ofHost(String hostHeader, String localNamespace) {
    if (hostHeader == null || hostHeader.isEmpty()) {
      return UNKNOWN;
    }
    var host = stripPort(hostHeader).toLowerCase(java.util.Locale.ROOT);
    if (host.isEmpty()) {
      return UNKNOWN;
    }
    if (Character.isDigit(host.charAt(host.length() - 1)) || host.contains(":")) {
      return new DestinationService(host, host, WorkloadMetadata.UNKNOWN); // an IP address
    }
    var labels = host.split("\\.");
    String ns = null;
    if (host.endsWith(".svc.cluster.local") && labels.length == 5) {
      ns = labels[1];
    } else if (labels.length == 1 && localNamespace != null && !localNamespace.isEmpty()) {
      ns = localNamespace;
    } else if (labels.length == 2 || labels.length == 3 && labels[2].equals("svc")) {
      ns = labels[1];
    }
    if (ns == null) {
      return new DestinationService(host, host, WorkloadMetadata.UNKNOWN);
    }
    return new DestinationService(labels[0] + "." + ns + ".svc.cluster.local", labels[0], ns);
  }

  private static String stripPort(String h) {
    if (h.startsWith("[")) {
      int end = h.indexOf(']');
      return end > 0 ? h.substring(1, end) : h;
    }
    int colon = h.lastIndexOf(':');
    return colon > 0 && h.indexOf(':') == colon ? h.substring(0, colon) : h;
  }
}
