package io.meshwork.proxy.telemetry;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import java.util.Base64;
import java.util.Map;
import java.util.TreeMap;

/**
 * A workload as Istio's peer metadata describes it: the node metadata keys {@code NAME},
 * {@code NAMESPACE}, {@code WORKLOAD_NAME}, {@code LABELS}, {@code SERVICE_ACCOUNT},
 * {@code CLUSTER_ID}, {@code MESH_ID}. It is what a proxy tells its peer about itself (as a
 * base64 {@code google.protobuf.Struct} in {@code x-envoy-peer-metadata}, or inside the TCP
 * exchange frame) and where the {@code source_*}/{@code destination_*} labels come from.
 * Interned instances are compared by value, so a label cache can key on them cheaply.
 *
 * @param id the node id ({@code x-envoy-peer-metadata-id}), may be empty
 * @param name the instance (pod) name
 * @param workload the workload (Deployment) name
 * @param namespace the workload's namespace
 * @param labels the workload's labels
 * @param serviceAccount the service account, empty if unknown
 * @param clusterId the cluster the workload runs in ({@code Kubernetes} by Istio's default)
 * @param meshId the mesh id, may be empty
 */
public record WorkloadMetadata(String id, String name, String workload, String namespace, Map<String, String> labels,
    String serviceAccount, String clusterId, String meshId) {
  /** Istio's default {@code CLUSTER_ID}. */
  public static final String DEFAULT_CLUSTER = "Kubernetes";
  /** The value of every label Istio cannot fill. */
  public static final String UNKNOWN = "unknown";

  public WorkloadMetadata {
    id = nz(id);
    name = nz(name);
    workload = nz(workload);
    namespace = nz(namespace);
    labels = Map.copyOf(labels);
    serviceAccount = nz(serviceAccount);
    clusterId = nz(clusterId);
    meshId = nz(meshId);
  }

  private static String nz(String s) {
    return s == null ? "" : s;
  }

  /** Istio's {@code app} label ({@code app}, else {@code app.kubernetes.io/name}), {@code unknown} when absent. */
  public String app() {
    return orUnknown(labels.getOrDefault("app", labels.get("app.kubernetes.io/name")));
  }

  /** Istio's {@code version} label ({@code version}, else {@code app.kubernetes.io/version}), {@code unknown} when absent. */
  public String version() {
    return orUnknown(labels.getOrDefault("version", labels.get("app.kubernetes.io/version")));
  }

  /**
   * Istio's canonical service: {@code service.istio.io/canonical-name}, else
   * {@code app.kubernetes.io/name}, else {@code app}, else the workload name.
   */
  public String canonicalService() {
    for (var k : new String[] {"service.istio.io/canonical-name", "app.kubernetes.io/name", "app"}) {
      var v = labels.get(k);
      if (v != null && !v.isEmpty()) {
        return v;
      }
    }
    return orUnknown(workload);
  }

  /**
   * Istio's canonical revision: {@code service.istio.io/canonical-revision}, else
   * {@code app.kubernetes.io/version}, else {@code version}, else {@code latest}.
   */
  public String canonicalRevision() {
    for (var k : new String[] {"service.istio.io/canonical-revision", "app.kubernetes.io/version", "version"}) {
      var v = labels.get(k);
      if (v != null && !v.isEmpty()) {
        return v;
      }
    }
    return "latest";
  }

  public String workloadOrUnknown() {
    return orUnknown(workload);
  }

  public String namespaceOrUnknown() {
    return orUnknown(namespace);
  }

  public String clusterOrUnknown() {
    return orUnknown(clusterId);
  }

  /** The SPIFFE principal {@code spiffe://TD/ns/NS/sa/SA} this workload's certificate carries, or {@code unknown}. */
  public String principal(String trustDomain) {
    if (trustDomain == null || trustDomain.isEmpty() || namespace.isEmpty() || serviceAccount.isEmpty()) {
      return UNKNOWN;
    }
    return "spiffe://" + trustDomain + "/ns/" + namespace + "/sa/" + serviceAccount;
  }

  static String orUnknown(String s) {
    return s == null || s.isEmpty() ? UNKNOWN : s;
  }

  /** The node-metadata {@code Struct} Istio exchanges: the keys listed on this record, empty ones left out. */
  public Struct toStruct() {
    var s = Struct.newBuilder();
    put(s, "NAME", name);
    put(s, "NAMESPACE", namespace);
    put(s, "WORKLOAD_NAME", workload);
    put(s, "SERVICE_ACCOUNT", serviceAccount);
    put(s, "CLUSTER_ID", clusterId);
    put(s, "MESH_ID", meshId);
    if (!labels.isEmpty()) {
      var l = Struct.newBuilder();
      new TreeMap<>(labels).forEach((k, v) -> l.putFields(k, Value.newBuilder().setStringValue(v).build()));
      s.putFields("LABELS", Value.newBuilder().setStructValue(l).build());
    }
    return s.build();
  }

  private static void put(Struct.Builder s, String key, String value) {
    if (!value.isEmpty()) {
      s.putFields(key, Value.newBuilder().setStringValue(value).build());
    }
  }

  /** The {@code x-envoy-peer-metadata} header value: the serialized {@link #toStruct()}, base64. */
  public String toHeaderValue() {
    return Base64.getEncoder().encodeToString(toStruct().toByteArray());
  }

  /**
   * Reads node metadata ({@code Struct}) as a bootstrap, an xDS node or a peer sends it. Missing
   * keys stay empty; {@code CLUSTER_ID} defaults to {@link #DEFAULT_CLUSTER}.
   */
  public static WorkloadMetadata fromStruct(String id, Struct md) {
    var f = md.getFieldsMap();
    var labels = new TreeMap<String, String>();
    var l = f.get("LABELS");
    if (l != null && l.hasStructValue()) {
      l.getStructValue().getFieldsMap().forEach((k, v) -> {
        if (v.hasStringValue()) {
          labels.put(k, v.getStringValue());
        }
      });
    }
    var cluster = text(f, "CLUSTER_ID");
    return new WorkloadMetadata(id, text(f, "NAME"), text(f, "WORKLOAD_NAME"), text(f, "NAMESPACE"), labels,
        text(f, "SERVICE_ACCOUNT"), cluster.isEmpty() ? DEFAULT_CLUSTER : cluster, text(f, "MESH_ID"));
  }

  private static String text(Map<String, Value> f, String key) {
    var v = f.get(key);
    return v != null && v.hasStringValue() ? v.getStringValue() : "";
  }

  /** Decodes an {@code x-envoy-peer-metadata} header value; null when it is not a base64 Struct. */
  public static WorkloadMetadata fromHeaderValue(String id, String base64) {
    if (base64 == null || base64.isEmpty()) {
      return null;
    }
    try {
      return fromStruct(id, Struct.parseFrom(Base64.getDecoder().decode(base64.trim())));
    } catch (IllegalArgumentException | InvalidProtocolBufferException e) {
      return null;
    }
  }

  /**
   * Reads the workload Istio puts in EDS endpoint metadata ({@code filter_metadata.istio.workload}):
   * {@code NAME;NAMESPACE;CANONICAL_SERVICE;CANONICAL_REVISION;CLUSTER_ID}. Null when malformed.
   * The canonical service and revision also stand for the {@code app} and {@code version} labels,
   * which this form does not carry.
   */
  public static WorkloadMetadata fromEndpointWorkload(String value) {
    if (value == null || value.isEmpty()) {
      return null;
    }
    var p = value.split(";", -1);
    if (p.length < 2) {
      return null;
    }
    var labels = new TreeMap<String, String>();
    if (p.length > 2 && !p[2].isEmpty()) {
      labels.put("service.istio.io/canonical-name", p[2]);
      labels.put("app", p[2]);
    }
    if (p.length > 3 && !p[3].isEmpty()) {
      labels.put("service.istio.io/canonical-revision", p[3]);
      labels.put("version", p[3]);
    }
    var cluster = p.length > 4 && !p[4].isEmpty() ? p[4] : DEFAULT_CLUSTER;
    return new WorkloadMetadata("", "", p[0], p[1], labels, "", cluster, "");
  }

  /** The endpoint-metadata form of this workload (see {@link #fromEndpointWorkload}). */
  public String toEndpointWorkload() {
    return workload + ";" + namespace + ";" + canonicalService() + ";" + canonicalRevision() + ";"
        + (clusterId.isEmpty() ? DEFAULT_CLUSTER : clusterId);
  }
}
