package io.meshwork.bench.jmh;

import io.meshwork.proxy.config.ListenerConfig;
import io.meshwork.proxy.config.ProxyConfigBuilder;
import io.meshwork.proxy.config.RequestHead;
import io.meshwork.proxy.config.RouteTable;
import io.meshwork.xds.bootstrap.BootstrapLoader;
import java.util.Locale;
import java.util.Map;

/** Builds a route table of N routes the way the proxy does (bootstrap YAML through ProxyConfigBuilder). */
final class Routes {
  private Routes() {}

  /**
   * One virtual host with {@code n} routes: {@code /svc<i>/} prefixes, every fourth also requiring an
   * {@code x-tenant} header, the last a catch-all.
   */
  static RouteTable table(int n) throws Exception {
    var routes = new StringBuilder();
    for (int i = 0; i < n - 1; i++) {
      routes.append("                - match: {prefix: \"/svc").append(i).append("/\"");
      if (i % 4 == 0) {
        routes.append(", headers: [{name: x-tenant, string_match: {exact: t").append(i).append("}}]");
      }
      routes.append("}\n                  route: {cluster: c}\n");
    }
    routes.append("                - match: {prefix: \"/\"}\n                  route: {cluster: c}\n");
    var yaml = """
        node: {id: jmh, cluster: jmh}
        static_resources:
          listeners:
          - name: http
            address: {socket_address: {address: 127.0.0.1, port_value: 0}}
            filter_chains:
            - filters:
              - name: envoy.filters.network.http_connection_manager
                typed_config:
                  "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                  stat_prefix: jmh
                  route_config:
                    name: jmh
                    virtual_hosts:
                    - name: other
                      domains: ["other.example.com"]
                      routes:
                      - match: {prefix: "/"}
                        route: {cluster: c}
                    - name: all
                      domains: ["*"]
                      routes:
        %s
                  http_filters:
                  - name: envoy.filters.http.router
                    typed_config: {"@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router}
          clusters:
          - name: c
            type: STATIC
            load_assignment:
              cluster_name: c
              endpoints:
              - lb_endpoints:
                - endpoint: {address: {socket_address: {address: 127.0.0.1, port_value: 9}}}
        """.formatted(routes.toString().stripTrailing());
    var config = ProxyConfigBuilder.fromBootstrap(BootstrapLoader.parse("jmh.yaml", yaml), 1);
    var http = (ListenerConfig.Http) config.listeners().getFirst().protocol();
    return http.hcm().routes();
  }

  /** A request head for matching. */
  record Head(String method, String path, String query, String authority, String scheme, Map<String, String> headers)
      implements RequestHead {
    @Override
    public String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }
  }
}
