package io.meshwork.proxy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.google.protobuf.util.JsonFormat;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Virtual host selection and route matching with Envoy's semantics, on the translated model. */
class RouteTableTest {
  static RouteTable table(String yaml) throws Exception {
    var json = new ObjectMapper().writeValueAsString(new ObjectMapper(new YAMLFactory()).readTree(yaml));
    var b = RouteConfiguration.newBuilder();
    JsonFormat.parser().merge(json, b);
    return RouteTranslator.table(b.build(), "route_config", Set.of("c", "d"), false);
  }

  record Head(String method, String path, String query, String authority, Map<String, String> headers) implements RequestHead {
    static Head of(String authority, String pathAndQuery, String... kv) {
      int q = pathAndQuery.indexOf('?');
      var h = new java.util.HashMap<String, String>();
      for (int i = 0; i < kv.length; i += 2) {
        h.put(kv[i].toLowerCase(Locale.ROOT), kv[i + 1]);
      }
      return new Head("GET", q < 0 ? pathAndQuery : pathAndQuery.substring(0, q), q < 0 ? "" : pathAndQuery.substring(q + 1),
          authority, h);
    }

    @Override
    public String scheme() {
      return "http";
    }

    @Override
    public String header(String name) {
      return name.equals(":method") ? method : headers.get(name.toLowerCase(Locale.ROOT));
    }
  }

  static String routeName(RouteTable t, Head h) {
    var vh = t.virtualHost(h.authority());
    if (vh == null) {
      return "no-vhost";
    }
    var r = vh.route(h);
    return r == null ? vh.name() + ":none" : vh.name() + ":" + r.name();
  }

  @Test
  void virtualHostsAreChosenExactThenSuffixThenPrefixThenAny() throws Exception {
    var t = table("""
        virtual_hosts:
        - {name: exact, domains: ["api.example.com", "api.example.com:8080"], routes: [{name: r, match: {prefix: /}, route: {cluster: c}}]}
        - {name: suffix-long, domains: ["*.api.example.com"], routes: [{name: r, match: {prefix: /}, route: {cluster: c}}]}
        - {name: suffix, domains: ["*.example.com"], routes: [{name: r, match: {prefix: /}, route: {cluster: c}}]}
        - {name: prefix, domains: ["api.*"], routes: [{name: r, match: {prefix: /}, route: {cluster: c}}]}
        - {name: any, domains: ["*"], routes: [{name: r, match: {prefix: /}, route: {cluster: c}}]}
        """);
    assertThat(t.virtualHost("api.example.com").name()).isEqualTo("exact");
    assertThat(t.virtualHost("API.Example.COM").name()).isEqualTo("exact");
    assertThat(t.virtualHost("api.example.com:8080").name()).isEqualTo("exact");
    assertThat(t.virtualHost("v1.api.example.com").name()).isEqualTo("suffix-long");
    assertThat(t.virtualHost("www.example.com").name()).isEqualTo("suffix");
    assertThat(t.virtualHost("api.other.org").name()).isEqualTo("prefix");
    // Ports are part of the Host value: "api.example.com:9090" is neither the exact domain nor
    // under "*.example.com"; only the prefix wildcard "api.*" covers it (as in Envoy).
    assertThat(t.virtualHost("api.example.com:9090").name()).isEqualTo("prefix");
    assertThat(t.virtualHost("www.example.com:80").name()).isEqualTo("any");
    assertThat(t.virtualHost("other.org").name()).isEqualTo("any");
    assertThat(t.virtualHost(".example.com").name()).isEqualTo("any");
  }

  @Test
  void withoutACatchAllAnUnknownHostHasNoVirtualHost() throws Exception {
    var t = table("""
        virtual_hosts:
        - {name: only, domains: ["a.com"], routes: [{match: {prefix: /}, route: {cluster: c}}]}
        """);
    assertThat(t.virtualHost("b.com")).isNull();
  }

  @Test
  void stripAnyHostPortMatchesWithoutThePort() throws Exception {
    var json = """
        {"virtual_hosts": [{"name": "a", "domains": ["a.com"], "routes": [{"match": {"prefix": "/"}, "route": {"cluster": "c"}}]}]}
        """;
    var b = RouteConfiguration.newBuilder();
    JsonFormat.parser().merge(json, b);
    var t = RouteTranslator.table(b.build(), "rc", Set.of("c"), true);
    assertThat(t.virtualHost("a.com:8443").name()).isEqualTo("a");
  }

  @Test
  void pathMatchersFollowEnvoySemantics() throws Exception {
    var t = table("""
        virtual_hosts:
        - name: v
          domains: ["*"]
          routes:
          - {name: exact, match: {path: /exact}, route: {cluster: c}}
          - {name: exact-ci, match: {path: /CI, case_sensitive: false}, route: {cluster: c}}
          - {name: sep, match: {path_separated_prefix: /api}, route: {cluster: c}}
          - {name: regex, match: {safe_regex: {regex: "/users/[0-9]+"}}, route: {cluster: c}}
          - {name: prefix, match: {prefix: /static/}, route: {cluster: c}}
        """);
    assertThat(routeName(t, Head.of("h", "/exact"))).isEqualTo("v:exact");
    assertThat(routeName(t, Head.of("h", "/exact?x=1"))).isEqualTo("v:exact");
    assertThat(routeName(t, Head.of("h", "/exact/more"))).isEqualTo("v:none");
    assertThat(routeName(t, Head.of("h", "/ci"))).isEqualTo("v:exact-ci");
    assertThat(routeName(t, Head.of("h", "/api"))).isEqualTo("v:sep");
    assertThat(routeName(t, Head.of("h", "/api/v1"))).isEqualTo("v:sep");
    assertThat(routeName(t, Head.of("h", "/apis"))).isEqualTo("v:none");
    assertThat(routeName(t, Head.of("h", "/users/42"))).isEqualTo("v:regex");
    assertThat(routeName(t, Head.of("h", "/users/42/x"))).isEqualTo("v:none");
    assertThat(routeName(t, Head.of("h", "/static/app.js"))).isEqualTo("v:prefix");
    assertThat(routeName(t, Head.of("h", "/STATIC/app.js"))).isEqualTo("v:none");
  }

  @Test
  void headerMatchersCoverEveryKindAndInversion() throws Exception {
    var t = table("""
        virtual_hosts:
        - name: v
          domains: ["*"]
          routes:
          - {name: exact, match: {prefix: /, headers: [{name: x-exact, string_match: {exact: "yes"}}]}, route: {cluster: c}}
          - {name: prefix, match: {prefix: /, headers: [{name: x-p, string_match: {prefix: ab}}]}, route: {cluster: c}}
          - {name: suffix, match: {prefix: /, headers: [{name: x-s, string_match: {suffix: yz}}]}, route: {cluster: c}}
          - {name: contains, match: {prefix: /, headers: [{name: x-c, string_match: {contains: mid, ignore_case: true}}]}, route: {cluster: c}}
          - {name: regex, match: {prefix: /, headers: [{name: x-r, safe_regex_match: {regex: "v[0-9]"}}]}, route: {cluster: c}}
          - {name: present, match: {prefix: /, headers: [{name: x-present, present_match: true}]}, route: {cluster: c}}
          - {name: method, match: {prefix: /, headers: [{name: ":method", exact_match: POST}]}, route: {cluster: c}}
          - {name: not-beta, match: {prefix: /, headers: [{name: x-user, string_match: {exact: beta}, invert_match: true}]}, route: {cluster: c}}
          - {name: fallback, match: {prefix: /}, route: {cluster: c}}
        """);
    assertThat(routeName(t, Head.of("h", "/", "x-exact", "yes", "x-user", "beta"))).isEqualTo("v:exact");
    assertThat(routeName(t, Head.of("h", "/", "x-exact", "yes!", "x-user", "beta"))).isEqualTo("v:fallback");
    assertThat(routeName(t, Head.of("h", "/", "x-p", "abc", "x-user", "beta"))).isEqualTo("v:prefix");
    assertThat(routeName(t, Head.of("h", "/", "x-s", "xyz", "x-user", "beta"))).isEqualTo("v:suffix");
    assertThat(routeName(t, Head.of("h", "/", "x-c", "aMIDb", "x-user", "beta"))).isEqualTo("v:contains");
    assertThat(routeName(t, Head.of("h", "/", "x-r", "v7", "x-user", "beta"))).isEqualTo("v:regex");
    assertThat(routeName(t, Head.of("h", "/", "x-r", "v77", "x-user", "beta"))).isEqualTo("v:fallback");
    assertThat(routeName(t, Head.of("h", "/", "x-present", "", "x-user", "beta"))).isEqualTo("v:present");
    // Inverted exact match: any request whose x-user is not "beta" (including absent) matches.
    assertThat(routeName(t, Head.of("h", "/"))).isEqualTo("v:not-beta");
    assertThat(routeName(t, Head.of("h", "/", "x-user", "beta"))).isEqualTo("v:fallback");
  }

  @Test
  void queryParameterMatchers() throws Exception {
    var t = table("""
        virtual_hosts:
        - name: v
          domains: ["*"]
          routes:
          - {name: debug, match: {prefix: /, query_parameters: [{name: debug, present_match: true}]}, route: {cluster: c}}
          - {name: v2, match: {prefix: /, query_parameters: [{name: version, string_match: {exact: "2"}}]}, route: {cluster: c}}
          - {name: fallback, match: {prefix: /}, route: {cluster: c}}
        """);
    assertThat(routeName(t, Head.of("h", "/x?debug"))).isEqualTo("v:debug");
    assertThat(routeName(t, Head.of("h", "/x?a=1&version=2"))).isEqualTo("v:v2");
    assertThat(routeName(t, Head.of("h", "/x?version=3"))).isEqualTo("v:fallback");
    assertThat(routeName(t, Head.of("h", "/x?versionx=2"))).isEqualTo("v:fallback");
  }

  @Test
  void referencesToUnknownClustersAreRejectedWithThePath() {
    assertThatThrownBy(() -> table("""
        virtual_hosts:
        - name: v
          domains: ["*"]
          routes:
          - match: {prefix: /}
            route: {weighted_clusters: {clusters: [{name: c, weight: 1}, {name: nope, weight: 1}]}}
        """)).isInstanceOf(ConfigException.class)
        .hasMessage("route_config.virtual_hosts[0].routes[0].route.weighted_clusters.clusters[1].name: "
            + "unknown cluster \"nope\"; define it under static_resources.clusters");
  }

  @Test
  void invalidRegexAndDuplicateDomainsAreRejected() {
    assertThatThrownBy(() -> table("""
        virtual_hosts:
        - {name: v, domains: ["*"], routes: [{match: {safe_regex: {regex: "(unclosed"}}, route: {cluster: c}}]}
        """)).hasMessageStartingWith("route_config.virtual_hosts[0].routes[0].match.safe_regex.regex: invalid RE2 regex");
    assertThatThrownBy(() -> table("""
        virtual_hosts:
        - {name: v, domains: ["a.com"], routes: []}
        - {name: w, domains: ["A.com"], routes: []}
        """)).hasMessage("route_config.virtual_hosts[1].domains[0]: domain \"A.com\" is already served by another virtual host");
  }
}
