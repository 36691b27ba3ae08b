package io.meshwork.proxy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshwork.xds.bootstrap.BootstrapLoader;
import org.junit.jupiter.api.Test;

/** The HCM {@code tracing} block: what is accepted, the defaults, and the errors with their paths. */
class TracingConfigTest {
  static ProxyConfig build(String tracing) throws Exception {
    var yaml = """
        node: {id: n1, cluster: reviews.default}
        static_resources:
          listeners:
          - name: http
            traffic_direction: OUTBOUND
            address: {socket_address: {address: 127.0.0.1, port_value: 0}}
            filter_chains:
            - filters:
              - name: envoy.filters.network.http_connection_manager
                typed_config:
                  "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                  stat_prefix: s
        %s
                  route_config: {virtual_hosts: [{name: a, domains: ["*"], routes: [{match: {prefix: "/"}, route: {cluster: c}}]}]}
                  http_filters: [{name: envoy.filters.http.router, typed_config: {"@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router}}]
          clusters:
          - {name: c, type: STATIC, load_assignment: {cluster_name: c, endpoints: [{lb_endpoints: [{endpoint: {address: {socket_address: {address: 127.0.0.1, port_value: 1}}}}]}]}}
          - {name: zipkin, type: STATIC, load_assignment: {cluster_name: zipkin, endpoints: [{lb_endpoints: [{endpoint: {address: {socket_address: {address: 127.0.0.1, port_value: 9411}}}}]}]}}
        """.formatted(tracing.indent(10).stripTrailing());
    return ProxyConfigBuilder.fromBootstrap(BootstrapLoader.parse("b.yaml", yaml), 1);
  }

  static TracingConfig tracing(ProxyConfig c) {
    return ((ListenerConfig.Http) c.listeners().getFirst().protocol()).hcm().tracing();
  }

  @Test
  void zipkinWithDefaultsAndTheNodeClusterAsServiceName() throws Exception {
    var t = tracing(build("""
        tracing:
          provider:
            name: envoy.tracers.zipkin
            typed_config: {"@type": type.googleapis.com/envoy.config.trace.v3.ZipkinConfig, collector_cluster: zipkin, collector_endpoint_version: HTTP_JSON}
        """));
    assertThat(t.provider()).isEqualTo(TracingConfig.Provider.ZIPKIN);
    assertThat(t.collectorPath()).isEqualTo("/api/v2/spans");
    assertThat(t.randomSampling()).isEqualTo(100); // Envoy's default when the field is absent
    assertThat(t.clientSampling()).isEqualTo(100);
    assertThat(t.client()).isTrue();
    assertThat(t.effectiveServiceName()).isEqualTo("reviews.default");
    assertThat(t.maxPathTagLength()).isEqualTo(256);
  }

  @Test
  void noTracingBlockMeansNoTracing() throws Exception {
    assertThat(tracing(build(""))).isNull();
  }

  @Test
  void openTelemetryOverHttpTakesPathAndServiceName() throws Exception {
    var t = tracing(build("""
        tracing:
          random_sampling: {value: 2.5}
          provider:
            name: envoy.tracers.opentelemetry
            typed_config:
              "@type": type.googleapis.com/envoy.config.trace.v3.OpenTelemetryConfig
              service_name: ratings.prod
              http_service: {http_uri: {uri: "http://otel:4318/v1/traces", cluster: zipkin, timeout: 1s}}
        """));
    assertThat(t.provider()).isEqualTo(TracingConfig.Provider.OPENTELEMETRY);
    assertThat(t.collectorPath()).isEqualTo("/v1/traces");
    assertThat(t.randomSampling()).isEqualTo(2.5);
    assertThat(t.effectiveServiceName()).isEqualTo("ratings.prod");
  }

  @Test
  void unsupportedOrInconsistentTracingIsRefusedWithItsPath() {
    assertThatThrownBy(() -> build("""
        tracing:
          provider:
            name: envoy.tracers.zipkin
            typed_config: {"@type": type.googleapis.com/envoy.config.trace.v3.ZipkinConfig, collector_cluster: nowhere, collector_endpoint_version: HTTP_JSON}
        """)).hasMessageContaining("tracing.provider.typed_config.collector_cluster").hasMessageContaining("unknown cluster \"nowhere\"");
    assertThatThrownBy(() -> build("""
        tracing:
          provider:
            name: envoy.tracers.zipkin
            typed_config: {"@type": type.googleapis.com/envoy.config.trace.v3.ZipkinConfig, collector_cluster: zipkin, collector_endpoint_version: GRPC}
        """)).hasMessageContaining("collector_endpoint_version").hasMessageContaining("use HTTP_JSON");
    assertThatThrownBy(() -> build("""
        tracing:
          provider:
            name: envoy.tracers.opentelemetry
            typed_config:
              "@type": type.googleapis.com/envoy.config.trace.v3.OpenTelemetryConfig
              grpc_service: {envoy_grpc: {cluster_name: zipkin}}
        """)).hasMessageContaining("grpc_service").hasMessageContaining("OTLP over gRPC is not supported yet");
    assertThatThrownBy(() -> build("""
        tracing:
          random_sampling: {value: 150}
          provider:
            name: envoy.tracers.zipkin
            typed_config: {"@type": type.googleapis.com/envoy.config.trace.v3.ZipkinConfig, collector_cluster: zipkin, collector_endpoint_version: HTTP_JSON}
        """)).hasMessageContaining("random_sampling").hasMessageContaining("between 0 and 100");
    assertThatThrownBy(() -> build("""
        tracing: {random_sampling: {value: 1}}
        """)).hasMessageContaining("tracing.provider").hasMessageContaining("a tracing provider is required");
  }

  @Test
  void accessLogFormatErrorsNameTheField() {
    assertThatThrownBy(() -> build("""
        access_log:
        - name: envoy.access_loggers.stdout
          typed_config:
            "@type": type.googleapis.com/envoy.extensions.access_loggers.stream.v3.StdoutAccessLog
            log_format: {text_format: "%RESPONSE_CODE% %NOPE%"}
        """)).hasMessageContaining("access_log[0].typed_config.log_format.text_format").hasMessageContaining("%NOPE% is not supported");
    assertThatThrownBy(() -> build("""
        access_log:
        - name: envoy.access_loggers.stdout
          filter: {extension_filter: {name: cel, typed_config: {"@type": type.googleapis.com/envoy.extensions.access_loggers.filters.cel.v3.ExpressionFilter, expression: "response.code >="}}}
          typed_config: {"@type": type.googleapis.com/envoy.extensions.access_loggers.stream.v3.StdoutAccessLog}
        """)).hasMessageContaining("access_log[0].filter.extension_filter.typed_config.expression");
  }
}
