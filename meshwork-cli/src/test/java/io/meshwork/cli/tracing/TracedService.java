package io.meshwork.cli.tracing;

import com.sun.net.httpserver.HttpServer;
import io.meshwork.proxy.ProxyServer;
import io.meshwork.proxy.config.ProxyConfigBuilder;
import io.meshwork.xds.bootstrap.BootstrapLoader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/**
 * One service of a traced test mesh: a tiny app (JDK HTTP server) behind a sidecar proxy started
 * from a static bootstrap, with an inbound listener (traffic_direction INBOUND → SERVER spans) in
 * front of the app and an outbound listener (OUTBOUND → CLIENT spans) through which the app calls
 * the next service. The app does what an application in a mesh must do: it forwards the trace
 * headers it received ({@link #FORWARDED}) on its own outgoing call, and answers with the trace id it saw.
 */
final class TracedService implements AutoCloseable {
  /** The headers an app forwards, as meshwork-proxy/TELEMETRY.md documents. */
  static final List<String> FORWARDED = List.of("x-request-id", "traceparent", "tracestate", "x-b3-traceid", "x-b3-spanid",
      "x-b3-parentspanid", "x-b3-sampled", "x-b3-flags", "b3");

  final String name;
  final HttpServer app;
  final ProxyServer proxy;
  final ByteArrayOutputStream log = new ByteArrayOutputStream();
  private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();

  /**
   * @param nextInboundPort the next service's inbound proxy port, or -1 for the last service
   * @param provider "zipkin" or "otlp"
   * @param collectorPort the collector's port on 127.0.0.1
   */
  TracedService(String name, int nextInboundPort, String provider, int collectorPort, double samplingPercent) throws Exception {
    this.name = name;
    app = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    app.setExecutor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
    int[] outboundPort = new int[1];
    app.createContext("/", ex -> {
      String body = name;
      int code = 200;
      if (nextInboundPort > 0) {
        var req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + outboundPort[0] + ex.getRequestURI()))
            .timeout(Duration.ofSeconds(10));
        for (var h : FORWARDED) {
          var v = ex.getRequestHeaders().getFirst(h);
          if (v != null) {
            req.header(h, v);
          }
        }
        try {
          var res = client.send(req.build(), HttpResponse.BodyHandlers.ofString());
          code = res.statusCode();
          body = name + ">" + res.body();
        } catch (Exception e) {
          code = 502;
          body = name + ">error";
        }
      }
      var traceId = ex.getRequestHeaders().getFirst("x-b3-traceid");
      ex.getResponseHeaders().set("x-seen-trace-id", traceId == null ? "" : traceId);
      var bytes = body.getBytes(StandardCharsets.UTF_8);
      ex.sendResponseHeaders(code, bytes.length);
      ex.getResponseBody().write(bytes);
      ex.close();
    });
    app.start();
    var yaml = bootstrap(name, app.getAddress().getPort(), nextInboundPort, provider, collectorPort, samplingPercent);
    proxy = ProxyServer.start(ProxyConfigBuilder.fromBootstrap(BootstrapLoader.parse(name + ".yaml", yaml), 1), 1,
        new PrintStream(log, true, StandardCharsets.UTF_8));
    outboundPort[0] = nextInboundPort > 0 ? proxy.listenerPort("outbound") : -1;
  }

  int inboundPort() {
    return proxy.listenerPort("inbound");
  }

  static String bootstrap(String name, int appPort, int nextPort, String provider, int collectorPort, double sampling) {
    var tracer = provider.equals("zipkin") ? """
                        name: envoy.tracers.zipkin
                        typed_config:
                          "@type": type.googleapis.com/envoy.config.trace.v3.ZipkinConfig
                          collector_cluster: collector
                          collector_endpoint: /api/v2/spans
                          collector_endpoint_version: HTTP_JSON
        """ : """
                        name: envoy.tracers.opentelemetry
                        typed_config:
                          "@type": type.googleapis.com/envoy.config.trace.v3.OpenTelemetryConfig
                          service_name: %s
                          http_service:
                            http_uri: {uri: "http://127.0.0.1:%d/v1/traces", cluster: collector, timeout: 5s}
        """.formatted(name, collectorPort);
    var sb = new StringBuilder();
    sb.append("node: {id: ").append(name).append("~127.0.0.1, cluster: ").append(name).append("}\n");
    sb.append("static_resources:\n  listeners:\n");
    sb.append(listener("inbound", "INBOUND", "inbound|" + appPort + "||", name, tracer, sampling));
    if (nextPort > 0) {
      sb.append(listener("outbound", "OUTBOUND", "outbound|9080||next.default.svc.cluster.local", name, tracer, sampling));
    }
    sb.append("  clusters:\n");
    sb.append(cluster("inbound|" + appPort + "||", appPort));
    if (nextPort > 0) {
      sb.append(cluster("outbound|9080||next.default.svc.cluster.local", nextPort));
    }
    sb.append(cluster("collector", collectorPort));
    return sb.toString();
  }

  private static String listener(String listener, String direction, String cluster, String service, String tracer, double sampling) {
    return """
          - name: %s
            traffic_direction: %s
            address: {socket_address: {address: 127.0.0.1, port_value: 0}}
            filter_chains:
            - filters:
              - name: envoy.filters.network.http_connection_manager
                typed_config:
                  "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                  stat_prefix: %s
                  tracing:
                    random_sampling: {value: %s}
                    custom_tags:
                    - {tag: istio.canonical_service, literal: {value: %s}}
                    - {tag: istio.namespace, literal: {value: default}}
                    provider:
        %s
                  route_config:
                    virtual_hosts:
                    - name: all
                      domains: ["*"]
                      routes:
                      - match: {prefix: "/"}
                        route: {cluster: "%s", timeout: 15s}
                  http_filters:
                  - name: envoy.filters.http.router
                    typed_config: {"@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router}
        """.formatted(listener, direction, listener, sampling, service, tracer.stripTrailing(), cluster);
  }

  private static String cluster(String name, int port) {
    return """
          - name: "%s"
            connect_timeout: 2s
            type: STATIC
            load_assignment:
              cluster_name: "%s"
              endpoints: [{lb_endpoints: [{endpoint: {address: {socket_address: {address: 127.0.0.1, port_value: %d}}}}]}]
        """.formatted(name, name, port);
  }

  long stat(String name) {
    return proxy.stats().value(name);
  }

  @Override
  public void close() {
    proxy.close();
    app.stop(0);
    ((java.util.concurrent.ExecutorService) app.getExecutor()).shutdownNow();
  }
}
