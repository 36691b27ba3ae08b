package io.meshwork.proxy.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.meshwork.proxy.config.ProxyConfigBuilder;
import io.meshwork.proxy.config.RequestHead;
import io.meshwork.proxy.config.RouteTable;
import io.meshwork.xds.bootstrap.BootstrapLoader;

/**
 * Arbitrary request heads (method, path, query, authority, headers) against a route table with
 * every kind of matcher the proxy supports: exact, wildcard and default domains, prefix, path,
 * safe-regex and path-separated-prefix paths, case-insensitive prefixes, header matchers (exact,
 * prefix, regex, present, inverted; range matchers are not supported yet) and query parameter matchers. Matching must never
 * throw, whatever the bytes (RE2/J keeps regexes linear, so no input can make it hang).
 */
class RouteMatcherFuzzTest {
  static final RouteTable TABLE = table();

  static RouteTable table() {
    var yaml = """
        node: {id: fuzz, cluster: fuzz}
        static_resources:
          listeners:
          - name: http
            address: {socket_address: {address: 127.0.0.1, port_value: 1}}
            filter_chains:
            - filters:
              - name: envoy.filters.network.http_connection_manager
                typed_config:
                  "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                  stat_prefix: fuzz
                  route_config:
                    virtual_hosts:
                    - name: exact
                      domains: ["reviews", "reviews:9080"]
                      routes:
                      - match: {path: "/exact"}
                        route: {cluster: c}
                      - match: {safe_regex: {regex: "/r/[a-z]+/([0-9]{1,5})"}}
                        route: {cluster: c}
                      - match: {path_separated_prefix: "/sep"}
                        route: {cluster: c}
                      - match: {prefix: "/ci", case_sensitive: false}
                        route: {cluster: c}
                      - match:
                          prefix: "/h"
                          headers:
                          - {name: x-exact, string_match: {exact: "v"}}
                          - {name: x-prefix, string_match: {prefix: "p"}}
                          - {name: x-re, string_match: {safe_regex: {regex: "a+b*"}}}
                          - {name: x-present, present_match: true}
                          - {name: x-not, string_match: {exact: "no"}, invert_match: true}
                        route: {cluster: c}
                      - match:
                          prefix: "/q"
                          query_parameters:
                          - {name: user, string_match: {exact: "jason"}}
                          - {name: flag, present_match: true}
                        route: {cluster: c}
                      - match: {prefix: "/"}
                        route: {cluster: c}
                    - name: wild
                      domains: ["*.example.com", "api.*"]
                      routes:
                      - match: {prefix: "/"}
                        route: {cluster: c}
                    - name: any
                      domains: ["*"]
                      routes:
                      - match: {prefix: "/"}
                        route: {cluster: c}
                  http_filters:
                  - name: envoy.filters.http.router
                    typed_config: {"@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router}
          clusters:
          - name: c
            connect_timeout: 1s
            type: STATIC
            load_assignment: {cluster_name: c, endpoints: [{lb_endpoints: [{endpoint: {address: {socket_address: {address: 127.0.0.1, port_value: 1}}}}]}]}
        """;
    try {
      var config = ProxyConfigBuilder.fromBootstrap(BootstrapLoader.parse("fuzz.yaml", yaml), 1);
      var l = config.listeners().getFirst();
      return ((io.meshwork.proxy.config.ListenerConfig.Http) l.protocol()).hcm().routes();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  record Head(String method, String path, String query, String authority, String scheme, java.util.Map<String, String> headers)
      implements RequestHead {
    @Override
    public String header(String name) {
      return headers.get(name.toLowerCase(java.util.Locale.ROOT));
    }
  }

  @FuzzTest(maxDuration = "5m")
  void matchingNeverThrows(FuzzedDataProvider data) {
    var headers = new java.util.HashMap<String, String>();
    for (var name : new String[] {"x-exact", "x-prefix", "x-re", "x-present", "x-not"}) {
      if (data.consumeBoolean()) {
        headers.put(name, data.consumeString(40));
      }
    }
    var head = new Head(data.consumeString(10), data.consumeString(200), data.consumeString(100), data.consumeString(60),
        data.consumeBoolean() ? "http" : "https", headers);
    var vh = TABLE.virtualHost(head.authority());
    if (vh != null) {
      vh.route(head);
    }
  }
}
