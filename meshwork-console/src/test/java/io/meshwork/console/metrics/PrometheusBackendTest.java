package io.meshwork.console.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.meshwork.console.graph.GraphBuilder;
import io.meshwork.console.graph.GraphType;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The graph over a (fake) Prometheus: the PromQL it sends is Kiali's, and the vector it reads back becomes edges. */
class PrometheusBackendTest {
  private HttpServer prom;
  private final List<String> queries = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() throws Exception {
    prom = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    prom.createContext("/api/v1/query", h -> {
      String q = h.getRequestURI().getRawQuery();
      String query = URLDecoder.decode(q.substring(q.indexOf("query=") + 6, q.indexOf("&time=")), StandardCharsets.UTF_8);
      queries.add(query);
      String result = "[]";
      if (query.startsWith("sum(rate(istio_requests_total{reporter=\"destination\"") && query.contains("response_code")) {
        result = """
            [{"metric":{"source_workload_namespace":"default","source_workload":"vote-v1","source_canonical_service":"vote",
              "destination_service_namespace":"default","destination_service_name":"redis","destination_service":"redis.default.svc.cluster.local",
              "destination_workload_namespace":"default","destination_workload":"redis","destination_canonical_service":"redis",
              "request_protocol":"http","response_code":"200","response_flags":"-"},"value":[1700000000,"2.5"]}]""";
      } else if (query.startsWith("bad")) {
        byte[] b = "{\"status\":\"error\",\"error\":\"parse error\"}".getBytes(StandardCharsets.UTF_8);
        h.sendResponseHeaders(400, b.length);
        h.getResponseBody().write(b);
        h.close();
        return;
      }
      byte[] b = ("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":" + result + "}}").getBytes(StandardCharsets.UTF_8);
      h.sendResponseHeaders(200, b.length);
      h.getResponseBody().write(b);
      h.close();
    });
    prom.start();
  }

  @AfterEach
  void stop() {
    prom.stop(0);
  }

  @Test
  void sendsKialisQueriesAndBuildsTheGraphFromTheAnswer() {
    var backend = new PrometheusBackend(URI.create("http://127.0.0.1:" + prom.getAddress().getPort() + "/"));
    Map<String, Object> g = new GraphBuilder(backend).build(List.of("default"), GraphType.WORKLOAD, Duration.ofMinutes(10), false, Instant.ofEpochSecond(1_700_000_000));
    assertThat(queries).contains("sum(rate(istio_requests_total{reporter=\"destination\",destination_workload_namespace=\"default\"}[600s])) by "
        + "(source_cluster,source_workload_namespace,source_workload,source_canonical_service,source_canonical_revision,destination_cluster,"
        + "destination_service_namespace,destination_service,destination_service_name,destination_workload_namespace,destination_workload,"
        + "destination_canonical_service,destination_canonical_revision,request_protocol,response_code,grpc_response_status,response_flags) > 0");
    assertThat(queries).anyMatch(q -> q.startsWith("histogram_quantile(0.95, sum(rate(istio_request_duration_milliseconds_bucket{reporter=\"source\",source_workload_namespace=\"default\"}[600s])) by (le,"));
    assertThat(queries).anyMatch(q -> q.startsWith("sum(rate(istio_tcp_sent_bytes_total{reporter=\"destination\""));
    assertThat(g.toString()).contains("source=wl:default:vote-v1, target=wl:default:redis").contains("http=2.50");
  }

  @Test
  void aRejectedQueryFailsWithOneSentenceNamingPrometheus() {
    var backend = new PrometheusBackend(URI.create("http://127.0.0.1:" + prom.getAddress().getPort()));
    assertThatThrownBy(() -> backend.query("bad(", Instant.now())).hasMessageContaining("Prometheus at http://127.0.0.1").hasMessageContaining("parse error");
  }
}
