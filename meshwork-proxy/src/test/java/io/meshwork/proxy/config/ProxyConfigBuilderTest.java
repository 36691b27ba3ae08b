package io.meshwork.proxy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshwork.xds.bootstrap.BootstrapLoader;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Translation from bootstrap protos: defaults applied, unsupported features refused with their path. */
class ProxyConfigBuilderTest {
  static final String BASE = """
      admin: {address: {socket_address: {address: 127.0.0.1, port_value: 0}}}
      static_resources:
        listeners:
        - name: l
          address: {socket_address: {address: 127.0.0.1, port_value: 0}}
          filter_chains:
          - filters:
            - name: hcm
              typed_config:
                "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                stat_prefix: in
                route_config:
                  virtual_hosts: [{name: v, domains: ["*"], routes: [{match: {prefix: /}, route: {cluster: c, retry_policy: {retry_on: 5xx}}}]}]
                http_filters:
                - {name: envoy.filters.http.router, typed_config: {"@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router}}
        clusters:
        - name: c
          load_assignment: {cluster_name: c, endpoints: [{lb_endpoints: [{endpoint: {address: {socket_address: {address: 127.0.0.1, port_value: 1}}}}]}]}
      """;

  static ProxyConfig build(String yaml) throws Exception {
    return ProxyConfigBuilder.fromBootstrap(BootstrapLoader.parse("b.yaml", yaml), 1);
  }

  @Test
  void envoyDefaultsAreApplied() throws Exception {
    var config = build(BASE);
    var c = config.cluster("c");
    assertThat(c.connectTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(c.lbPolicy()).isEqualTo(LbPolicy.ROUND_ROBIN);
    assertThat(c.circuitBreakers()).isEqualTo(CircuitBreakers.DEFAULTS);
    assertThat(c.outlierDetection()).isNull();
    var hcm = ((ListenerConfig.Http) config.listeners().getFirst().protocol()).hcm();
    assertThat(hcm.maxRequestHeadersBytes()).isEqualTo(60 * 1024);
    var forward = (RouteAction.Forward) hcm.routes().virtualHosts().getFirst().routes().getFirst().action();
    assertThat(forward.timeout()).isEqualTo(Duration.ofSeconds(15));
    assertThat(forward.retry().numRetries()).isEqualTo(1);
    assertThat(forward.retry().baseInterval()).isEqualTo(Duration.ofMillis(25));
    assertThat(forward.retry().maxInterval()).isEqualTo(Duration.ofMillis(250));
  }

  @Test
  void outlierIntervalAndMaxRequestsPerConnectionAreRead() throws Exception {
    var c = build(BASE.replace("  - name: c\n", "  - name: c\n"
        + "    common_http_protocol_options: {max_requests_per_connection: 7}\n"
        + "    outlier_detection: {interval: 2s, base_ejection_time: 5s}\n")).cluster("c");
    assertThat(c.maxRequestsPerConnection()).isEqualTo(7);
    assertThat(c.outlierDetection().interval()).isEqualTo(Duration.ofSeconds(2));
    assertThat(c.outlierDetection().baseEjectionTime()).isEqualTo(Duration.ofSeconds(5));
    var defaults = build(BASE.replace("  - name: c\n", "  - name: c\n    outlier_detection: {}\n")).cluster("c");
    assertThat(defaults.maxRequestsPerConnection()).isZero();
    assertThat(defaults.outlierDetection().interval()).isEqualTo(Duration.ofSeconds(10));
  }

  @Test
  void unsupportedFiltersAreRefusedNotIgnored() {
    // RBAC and jwt_authn are supported now; a network filter's config in the HTTP chain stands for any unknown filter.
    var other = BASE.replace("http_filters:\n", "http_filters:\n          - {name: envoy.filters.http.other, typed_config: "
        + "{\"@type\": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy, stat_prefix: x, cluster: c}}\n");
    assertThatThrownBy(() -> build(other)).isInstanceOf(ConfigException.class)
        .hasMessage("static_resources.listeners[0].filter_chains[0].filters[0].typed_config.http_filters[0]: "
            + "HTTP filter \"envoy.filters.http.other\" is not supported yet (supported: fault, cors, rbac, jwt_authn, router)");
  }

  @Test
  void otherRefusals() {
    assertThatThrownBy(() -> build(BASE.replace("  - name: c\n", "  - name: c\n    lb_policy: CLUSTER_PROVIDED\n")))
        .hasMessage("static_resources.clusters[0].lb_policy: load balancer CLUSTER_PROVIDED is not supported yet; "
            + "use ROUND_ROBIN, LEAST_REQUEST, RANDOM, RING_HASH or MAGLEV");
    assertThatThrownBy(() -> build(BASE.replace("  - name: c\n", "  - name: c\n    lb_policy: MAGLEV\n"
        + "    maglev_lb_config: {table_size: 65536}\n")))
        .hasMessage("static_resources.clusters[0].maglev_lb_config.table_size: must be a prime number (Envoy's default is 65537)");
    assertThatThrownBy(() -> build(BASE.replaceFirst("127\\.0\\.0\\.1", "0.0.0.0")))
        .hasMessageContaining("admin.address.socket_address.address: the admin interface must bind a loopback address");
    assertThatThrownBy(() -> build(BASE + "dynamic_resources: {ads_config: {api_type: GRPC}}\n"))
        .hasMessage("dynamic_resources: xDS subscriptions are not supported yet; use static_resources");
  }
}
