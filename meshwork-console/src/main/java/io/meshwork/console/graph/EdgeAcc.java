package io.meshwork.console.graph;

import java.util.Map;
import java.util.TreeMap;

/** A graph edge being built: one protocol between two nodes, its rates and response breakdown. */
final class EdgeAcc {
  final NodeAcc source;
  final NodeAcc target;
  final String protocol;
  double total;
  double c3xx;
  double c4xx;
  double c5xx;
  double noResponse;
  double grpcErr;
  double mtls;
  double mtlsBase;
  double throughput;
  double responseTime = Double.NaN;
  /** code -> (flags -> rate, host -> rate). */
  final Map<String, Map<String, Double>> flags = new TreeMap<>();
  final Map<String, Map<String, Double>> hosts = new TreeMap<>();

  EdgeAcc(NodeAcc source, NodeAcc target, String protocol) {
    this.source = source;
    this.target = target;
    this.protocol = protocol;
  }

  String id() {
    return source.id + "->" + target.id + ":" + protocol;
  }

  void add(String code, String flag, String host, String grpcStatus, double v) {
    total += v;
    if (protocol.equals("grpc")) {
      if (!"0".equals(grpcStatus) && !grpcStatus.isEmpty()) {
        grpcErr += v;
      }
    } else if (protocol.equals("http")) {
      switch (code.isEmpty() ? ' ' : code.charAt(0)) {
        case '3' -> c3xx += v;
        case '4' -> c4xx += v;
        case '5' -> c5xx += v;
        case '0' -> noResponse += v;
        default -> {}
      }
    }
    flags.computeIfAbsent(code, k -> new TreeMap<>()).merge(flag.isEmpty() ? "-" : flag, v, Double::sum);
    hosts.computeIfAbsent(code, k -> new TreeMap<>()).merge(host, v, Double::sum);
  }

  /** Adds another edge's traffic (the service graph folds workload edges into service edges). */
  void mergeFrom(EdgeAcc o) {
    total += o.total;
    c3xx += o.c3xx;
    c4xx += o.c4xx;
    c5xx += o.c5xx;
    noResponse += o.noResponse;
    grpcErr += o.grpcErr;
    mtls += o.mtls;
    mtlsBase += o.mtlsBase;
    throughput += o.throughput;
    if (!Double.isNaN(o.responseTime)) {
      responseTime = Double.isNaN(responseTime) ? o.responseTime : Math.max(responseTime, o.responseTime);
    }
    o.flags.forEach((code, m) -> m.forEach((k, v) -> flags.computeIfAbsent(code, x -> new TreeMap<>()).merge(k, v, Double::sum)));
    o.hosts.forEach((code, m) -> m.forEach((k, v) -> hosts.computeIfAbsent(code, x -> new TreeMap<>()).merge(k, v, Double::sum)));
  }

  double errorRate() {
    return protocol.equals("grpc") ? grpcErr : c4xx + c5xx + noResponse;
  }
}
