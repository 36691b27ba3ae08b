package io.meshwork.console.graph;

import java.util.List;

/** The label sets of Kiali's graph queries. */
final class Labels {
  static final List<String> REQUESTS = List.of("source_cluster", "source_workload_namespace", "source_workload",
      "source_canonical_service", "source_canonical_revision", "destination_cluster", "destination_service_namespace",
      "destination_service", "destination_service_name", "destination_workload_namespace", "destination_workload",
      "destination_canonical_service", "destination_canonical_revision", "request_protocol", "response_code",
      "grpc_response_status", "response_flags");
  static final List<String> TCP = List.of("source_cluster", "source_workload_namespace", "source_workload",
      "source_canonical_service", "source_canonical_revision", "destination_cluster", "destination_service_namespace",
      "destination_service", "destination_service_name", "destination_workload_namespace", "destination_workload",
      "destination_canonical_service", "destination_canonical_revision", "response_flags");
  /** Enough to place a row on an edge, for response time, mTLS and throughput. */
  static final List<String> EDGE = List.of("source_workload_namespace", "source_workload", "source_canonical_service",
      "source_canonical_revision", "destination_service_namespace", "destination_service", "destination_service_name",
      "destination_workload_namespace", "destination_workload", "destination_canonical_service",
      "destination_canonical_revision", "request_protocol");

  private Labels() {}

  static boolean unknown(String v) {
    return v == null || v.isEmpty() || v.equals("unknown");
  }
}
