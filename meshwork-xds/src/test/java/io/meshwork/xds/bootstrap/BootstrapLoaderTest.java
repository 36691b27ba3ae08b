package io.meshwork.xds.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import org.junit.jupiter.api.Test;

class BootstrapLoaderTest {
  static final String GOOD = """
      node: {id: sidecar~10.0.0.1~vote.default~default.svc.cluster.local, cluster: vote}
      admin:
        address: {socket_address: {address: 127.0.0.1, port_value: 15000}}
      static_resources:
        listeners:
        - name: http
          address: {socket_address: {address: 127.0.0.1, port_value: 10000}}
          filter_chains:
          - filters:
            - name: envoy.filters.network.http_connection_manager
              typed_config:
                "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                stat_prefix: ingress
                route_config:
                  virtual_hosts:
                  - name: all
                    domains: ["*"]
                    routes:
                    - match: {prefix: "/"}
                      route: {cluster: backend, timeout: 2.5s}
                http_filters:
                - name: envoy.filters.http.router
                  typed_config: {"@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router}
        clusters:
        - name: backend
          connect_timeout: 0.25s
          type: STATIC
          lb_policy: LEAST_REQUEST
          load_assignment:
            cluster_name: backend
            endpoints:
            - lb_endpoints:
              - endpoint: {address: {socket_address: {address: 127.0.0.1, port_value: 8080}}}
      """;

  @Test
  void loadsEnvoyShapedYamlIncludingTypedConfig() throws Exception {
    var b = BootstrapLoader.parse("good.yaml", GOOD);
    assertThat(b.getNode().getCluster()).isEqualTo("vote");
    assertThat(b.getAdmin().getAddress().getSocketAddress().getPortValue()).isEqualTo(15000);
    var cluster = b.getStaticResources().getClusters(0);
    assertThat(cluster.getConnectTimeout().getNanos()).isEqualTo(250_000_000);
    assertThat(cluster.getLbPolicy().name()).isEqualTo("LEAST_REQUEST");
    var any = b.getStaticResources().getListeners(0).getFilterChains(0).getFilters(0).getTypedConfig();
    var hcm = any.unpack(HttpConnectionManager.class);
    assertThat(hcm.getRouteConfig().getVirtualHosts(0).getRoutes(0).getRoute().getCluster()).isEqualTo("backend");
    assertThat(hcm.getRouteConfig().getVirtualHosts(0).getRoutes(0).getRoute().getTimeout().getSeconds()).isEqualTo(2);
  }

  @Test
  void unknownFieldNamesItsPathAndSuggestsTheFix() {
    var bad = GOOD.replace("match: {prefix: \"/\"}", "match: {prefx: \"/\"}");
    assertThatThrownBy(() -> BootstrapLoader.parse("bad.yaml", bad))
        .isInstanceOf(BootstrapException.class)
        .hasMessage("bad.yaml: static_resources.listeners[0].filter_chains[0].filters[0].typed_config"
            + ".route_config.virtual_hosts[0].routes[0].match.prefx: unknown field \"prefx\" in"
            + " envoy.config.route.v3.RouteMatch; did you mean \"prefix\"?");
  }

  @Test
  void wrongDurationAndEnumAreReportedWithPaths() {
    var bad = GOOD.replace("connect_timeout: 0.25s", "connect_timeout: 250ms").replace("LEAST_REQUEST", "FASTEST");
    assertThatThrownBy(() -> BootstrapLoader.parse("b.yaml", bad))
        .isInstanceOfSatisfying(BootstrapException.class, e -> assertThat(e.problems()).containsExactly(
            "static_resources.clusters[0].connect_timeout: expected a duration such as \"0.25s\" or \"5s\", got \"250ms\"",
            "static_resources.clusters[0].lb_policy: unknown value \"FASTEST\"; expected one of "
                + "[ROUND_ROBIN, LEAST_REQUEST, RING_HASH, RANDOM, MAGLEV, CLUSTER_PROVIDED, LOAD_BALANCING_POLICY_CONFIG]"));
  }

  @Test
  void unknownTypedConfigTypeIsRejected() {
    var bad = GOOD.replace("http.router.v3.Router", "http.nope.v3.Nope");
    assertThatThrownBy(() -> BootstrapLoader.parse("b.yaml", bad))
        .hasMessageContaining("http_filters[0].typed_config.@type: unknown type")
        .hasMessageContaining("http.nope.v3.Nope");
  }

  @Test
  void oneofConflictIsRejected() {
    var bad = GOOD.replace("match: {prefix: \"/\"}", "match: {prefix: \"/\", path: \"/x\"}");
    assertThatThrownBy(() -> BootstrapLoader.parse("b.yaml", bad))
        .hasMessageContaining("routes[0].match.path: \"prefix\" and \"path\" are alternatives; set only one of them");
  }

  @Test
  void yamlSyntaxErrorNamesTheLine() {
    assertThatThrownBy(() -> BootstrapLoader.parse("b.yaml", "node:\n  id: [unclosed\n"))
        .hasMessageStartingWith("b.yaml: line ")
        .hasMessageContaining("not valid YAML");
  }

  @Test
  void typeMismatchAndRangeAreReported() {
    var bad = GOOD.replace("port_value: 8080", "port_value: {a: 1}").replace("port_value: 15000", "port_value: 99999999999");
    assertThatThrownBy(() -> BootstrapLoader.parse("b.yaml", bad))
        .isInstanceOfSatisfying(BootstrapException.class, e -> assertThat(e.problems()).containsExactly(
            "admin.address.socket_address.port_value: integer out of range: 99999999999",
            "static_resources.clusters[0].load_assignment.endpoints[0].lb_endpoints[0].endpoint.address"
                + ".socket_address.port_value: expected an integer, got an object"));
  }

  @Test
  void emptyFileIsRejected() {
    assertThatThrownBy(() -> BootstrapLoader.parse("e.yaml", "# nothing\n"))
        .hasMessage("e.yaml: the file is empty; expected node, admin and static_resources");
  }
}
