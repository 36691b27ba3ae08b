package io.meshwork.bench.jmh;

import io.meshwork.proxy.config.ProxyConfigBuilder;
import io.meshwork.proxy.telemetry.ProxyTelemetry;
import io.meshwork.proxy.telemetry.RequestTelemetry;
import io.meshwork.proxy.telemetry.WorkloadMetadata;
import io.meshwork.xds.bootstrap.BootstrapLoader;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Recording Istio's standard metrics for one request on a server-side (INBOUND) sidecar, the way the
 * proxy does it per request ({@link RequestTelemetry}): the caller's peer metadata is read from the
 * request headers (decoded once, then cached by value), ours is set on the response, and at the end
 * the full label set (25 labels, both workloads known, as in a mesh) resolves to its series through
 * the cache and istio_requests_total, request duration and request/response sizes are recorded.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class MetricRecordBenchmark {
  static final String INBOUND_CLUSTER = "inbound|9080||";

  ProxyTelemetry telemetry;
  HttpHeaders request;
  HttpHeaders upstream;
  HttpHeaders response;

  @Setup
  public void setup() throws Exception {
    var yaml = """
        node:
          id: sidecar~10.0.0.2~reviews-v1-abc.default~default.svc.cluster.local
          cluster: reviews.default
          metadata:
            NAME: reviews-v1-abc
            NAMESPACE: default
            WORKLOAD_NAME: reviews-v1
            SERVICE_ACCOUNT: bookinfo-reviews
            MESH_ID: cluster.local
            CLUSTER_ID: Kubernetes
            LABELS: {app: reviews, version: v1, service.istio.io/canonical-name: reviews, service.istio.io/canonical-revision: v1}
        static_resources:
          listeners:
          - name: inbound
            traffic_direction: INBOUND
            address: {socket_address: {address: 127.0.0.1, port_value: 0}}
            filter_chains:
            - filters:
              - name: envoy.filters.network.http_connection_manager
                typed_config:
                  "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                  stat_prefix: inbound
                  route_config:
                    virtual_hosts:
                    - name: all
                      domains: ["*"]
                      routes:
                      - match: {prefix: "/"}
                        route: {cluster: "inbound|9080||"}
                  http_filters:
                  - name: istio.stats
                    typed_config:
                      "@type": type.googleapis.com/xds.type.v3.TypedStruct
                      type_url: type.googleapis.com/stats.PluginConfig
                      value: {stat_prefix: istio}
                  - name: envoy.filters.http.router
                    typed_config: {"@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router}
          clusters:
          - name: "inbound|9080||"
            type: STATIC
            load_assignment:
              cluster_name: "inbound|9080||"
              endpoints: [{lb_endpoints: [{endpoint: {address: {socket_address: {address: 127.0.0.1, port_value: 9080}}}}]}]
        """;
    telemetry = new ProxyTelemetry();
    telemetry.update(ProxyConfigBuilder.fromBootstrap(BootstrapLoader.parse("jmh.yaml", yaml), 1));
    var caller = new WorkloadMetadata("sidecar~10.0.0.1~productpage-v1-xyz.default~default.svc.cluster.local", "productpage-v1-xyz",
        "productpage-v1", "default", Map.of("app", "productpage", "version", "v1", "service.istio.io/canonical-name", "productpage",
        "service.istio.io/canonical-revision", "v1"), "bookinfo-productpage", "Kubernetes", "cluster.local");
    request = new DefaultHttpHeaders()
        .set("host", "reviews.default.svc.cluster.local:9080")
        .set("content-type", "application/json")
        .set("content-length", "1024")
        .set("x-request-id", "8d3f3a8e-1c7b-4f5e-9f7a-2b6c1d0e9f11")
        .set(RequestTelemetry.PEER_ID, caller.id())
        .set(RequestTelemetry.PEER, caller.toHeaderValue());
    upstream = new DefaultHttpHeaders().set("host", "reviews.default.svc.cluster.local:9080").set("content-length", "1024");
    response = new DefaultHttpHeaders().set("content-type", "application/json").set("content-length", "1024");
  }

  /** One request's telemetry, from the forwarded request to the recorded metrics. */
  @Benchmark
  public RequestTelemetry recordRequest() {
    var t = telemetry.request("inbound", null);
    t.onRequest(request, "POST", "http", null);
    t.onForward(INBOUND_CLUSTER, upstream);
    t.onResponseHead(response);
    t.finish(200, "-", 1024, 1024, "127.0.0.1:9080");
    return t;
  }
}
