package io.meshwork.console.graph;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.console.metrics.EmbeddedBackend;
import io.meshwork.console.metrics.SeriesStore;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Graph rules that need their own traffic: the missing-sidecar badge and gRPC error rates. */
class GraphBuilderTest {
  private final SeriesStore store = new SeriesStore(Duration.ofHours(1), 1L << 30);

  private void counter(Map<String, String> labels, double perSecond) {
    store.add("istio_requests_total", labels, 0, 0);
    store.add("istio_requests_total", labels, 10_000, perSecond * 10);
  }

  @SuppressWarnings("unchecked")
  private Map<String, Object> data(Map<String, Object> graph, String kind, String id) {
    var list = (List<Map<String, Object>>) ((Map<String, Object>) graph.get("elements")).get(kind);
    return list.stream().map(m -> (Map<String, Object>) m.get("data")).filter(d -> id.equals(d.get("id"))).findFirst()
        .orElseThrow(() -> new AssertionError("no " + id + " in " + list));
  }

  @Test
  void aWorkloadOnlyItsCallersReportHasTheMissingSidecarBadge() {
    counter(FakeProxy.labels("source", "default", "vote-v1", "vote", "v1", "default", "legacy-v1", "legacy", "v1", "legacy",
        "http", "200", "-", "unknown"), 3);
    counter(FakeProxy.labels("destination", "default", "vote-v1", "vote", "v1", "default", "result-v1", "result", "v1", "result",
        "http", "200", "-", "mutual_tls"), 1);
    var g = new GraphBuilder(new EmbeddedBackend(store)).build(List.of("default"), GraphType.WORKLOAD, Duration.ofMinutes(1), false, Instant.ofEpochMilli(10_000));
    assertThat(data(g, "nodes", "wl:default:legacy-v1")).containsEntry("hasMissingSC", true);
    assertThat(data(g, "nodes", "wl:default:result-v1")).doesNotContainKey("hasMissingSC");
    assertThat(data(g, "nodes", "wl:default:vote-v1")).doesNotContainKey("hasMissingSC");
  }

  @Test
  @SuppressWarnings("unchecked")
  void grpcErrorsComeFromGrpcStatusNotHttpCodes() {
    var ok = new java.util.TreeMap<>(FakeProxy.labels("destination", "default", "worker-v1", "worker", "v1", "default", "db-v1", "db", "v1", "db",
        "grpc", "200", "-", "mutual_tls"));
    ok.put("grpc_response_status", "0");
    var failed = new java.util.TreeMap<>(ok);
    failed.put("grpc_response_status", "14");
    counter(ok, 3);
    counter(failed, 1);
    var g = new GraphBuilder(new EmbeddedBackend(store)).build(List.of("default"), GraphType.WORKLOAD, Duration.ofMinutes(1), false, Instant.ofEpochMilli(10_000));
    var edge = data(g, "edges", "wl:default:worker-v1->wl:default:db-v1:grpc");
    var rates = (Map<String, String>) ((Map<String, Object>) edge.get("traffic")).get("rates");
    assertThat(rates).containsEntry("grpc", "4.00").containsEntry("grpcErr", "1.00").containsEntry("grpcPercentErr", "25.0");
    // 25 % gRPC errors: at least 10 % is failure.
    assertThat(data(g, "nodes", "wl:default:db-v1")).containsEntry("healthStatus", "Failure");
  }
}
