package io.meshwork.proxy.telemetry;

/**
 * Everything Istio's standard labels are computed from, for one request or TCP connection. Most
 * fields are shared references (the workloads, the service), so equal facts are cheap to compare
 * and a cache of resolved series can key on them.
 *
 * @param destinationReporter true on the inbound (server) side: {@code reporter="destination"}
 * @param source the calling workload ({@code null}: unknown)
 * @param destination the called workload ({@code null}: unknown)
 * @param responseCode the HTTP status as text, null for TCP
 * @param grpcStatus the gRPC status as text, empty for non-gRPC requests, null for TCP
 */
public record LabelFacts(boolean destinationReporter, WorkloadMetadata source, WorkloadMetadata destination,
    String sourcePrincipal, String destinationPrincipal, DestinationService service, String protocol,
    String responseCode, String grpcStatus, String responseFlags, String securityPolicy) {

  /** Istio's label names, in Istio's order; TCP metrics leave out {@code response_code} and {@code grpc_response_status}. */
  public static final String[] NAMES = {"reporter", "source_workload", "source_canonical_service",
      "source_canonical_revision", "source_workload_namespace", "source_principal", "source_app", "source_version",
      "source_cluster", "destination_workload", "destination_workload_namespace", "destination_principal",
      "destination_app", "destination_version", "destination_service", "destination_canonical_service",
      "destination_canonical_revision", "destination_service_name", "destination_service_namespace",
      "destination_cluster", "request_protocol", "response_code", "grpc_response_status", "response_flags",
      "connection_security_policy"};

  static final String[] TCP_NAMES = java.util.Arrays.stream(NAMES)
      .filter(n -> !n.equals("response_code") && !n.equals("grpc_response_status")).toArray(String[]::new);

  /** The label values in the order of {@link #NAMES} (or {@code TCP_NAMES} when {@code tcp}). */
  String[] values(boolean tcp) {
    var u = WorkloadMetadata.UNKNOWN;
    var s = source;
    var d = destination;
    var svc = service == null ? DestinationService.UNKNOWN : service;
    var all = new String[] {
        destinationReporter ? "destination" : "source",
        s == null ? u : s.workloadOrUnknown(),
        s == null ? u : s.canonicalService(),
        s == null ? "latest" : s.canonicalRevision(),
        s == null ? u : s.namespaceOrUnknown(),
        WorkloadMetadata.orUnknown(sourcePrincipal),
        s == null ? u : s.app(),
        s == null ? u : s.version(),
        s == null ? u : s.clusterOrUnknown(),
        d == null ? u : d.workloadOrUnknown(),
        d == null ? u : d.namespaceOrUnknown(),
        WorkloadMetadata.orUnknown(destinationPrincipal),
        d == null ? u : d.app(),
        d == null ? u : d.version(),
        svc.host(),
        d == null ? u : d.canonicalService(),
        d == null ? "latest" : d.canonicalRevision(),
        svc.name(),
        svc.namespace(),
        d == null ? u : d.clusterOrUnknown(),
        protocol,
        responseCode,
        grpcStatus,
        responseFlags == null ? "-" : responseFlags,
        securityPolicy == null ? u : securityPolicy};
    if (!tcp) {
      return all;
    }
    var out = new String[TCP_NAMES.length];
    int j = 0;
    for (int i = 0; i < all.length; i++) {
      if (i != 21 && i != 22) {
        out[j++] = all[i];
      }
    }
    return out;
  }
}
