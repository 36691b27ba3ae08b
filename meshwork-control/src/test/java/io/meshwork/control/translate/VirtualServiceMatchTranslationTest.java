package io.meshwork.control.translate;

import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.envoyproxy.envoy.config.route.v3.RedirectAction;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.meshwork.control.Fixtures;
import io.meshwork.control.Mesh;
import io.meshwork.control.store.ConfigStore;
import io.meshwork.xds.client.NodeInfo;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * VirtualService match conditions and route actions that {@link PolicyTranslationTest} does not
 * cover, each checked on the Envoy route produced for a sidecar: exact and regex URIs, query
 * parameters, withoutHeaders, method/authority/scheme (pseudo-header matchers), port, sourceLabels
 * and gateways (which decide whether a match exists for this proxy and port at all), regex rewrite,
 * direct responses, response header operations and redirect port/scheme.
 */
class VirtualServiceMatchTranslationTest {
  static final String H = "reviews.default.svc.cluster.local";
  static final String SVC = """
      apiVersion: v1
      kind: Service
      metadata: {name: reviews}
      spec:
        selector: {app: reviews}
        ports:
        - {name: http, port: 9080}
        - {name: http-admin, port: 9090}
      """;
  static final String VS = Fixtures.vs("reviews", "reviews", """
      http:
      - name: exact
        match:
        - uri: {exact: /health}
        directResponse:
          status: 204
          body: {string: "all good"}
      - name: regex
        match:
        - uri: {regex: "/users/[0-9]+"}
          queryParams:
            debug: {exact: "1"}
            trace: {regex: "on|yes"}
        rewrite:
          uriRegexRewrite: {match: "^/users/([0-9]+)$", rewrite: "/u/\\\\1"}
        headers:
          response:
            set: {x-served-by: reviews}
            add: {x-extra: "2"}
            remove: [server]
        route:
        - destination: {host: reviews, subset: v1}
      - name: verbs
        match:
        - method: {exact: POST}
          authority: {prefix: reviews}
          scheme: {exact: https}
          headers:
            x-user: {prefix: a}
          withoutHeaders:
            x-canary: {exact: "1"}
        route:
        - destination: {host: reviews, subset: v2}
      - name: admin-port
        match:
        - port: 9090
          uri: {prefix: /admin}
        route:
        - destination: {host: reviews, subset: v1}
      - name: from-productpage
        match:
        - sourceLabels: {app: productpage}
          uri: {prefix: /pp}
        route:
        - destination: {host: reviews, subset: v2}
      - name: from-ratings
        match:
        - sourceLabels: {app: ratings}
          uri: {prefix: /ratings-only}
        route:
        - destination: {host: reviews, subset: v2}
      - name: gateway-only
        match:
        - gateways: [bookinfo-gateway]
          uri: {prefix: /gw}
        route:
        - destination: {host: reviews, subset: v2}
      - name: mesh-too
        match:
        - gateways: [mesh, bookinfo-gateway]
          uri: {prefix: /mesh}
        route:
        - destination: {host: reviews, subset: v2}
      - name: moved
        match:
        - uri: {prefix: /moved}
        redirect: {authority: new.example.com, port: 8443, scheme: https, uri: /there}
      - name: rest
        route:
        - destination: {host: reviews, subset: v1}
      """);

  static List<Route> routes(String sourceApp, String port) {
    var store = new ConfigStore();
    assertThat(store.apply(ConfigStore.API, Fixtures.yaml(String.join("---\n", SVC, Mesh.REVIEWS_DR, VS))).errors()).isEmpty();
    var node = NodeInfo.sidecar(sourceApp + "-v1", "default", Map.of("app", sourceApp), "10.0.0.9", Map.of());
    var r = Translator.translate(MeshContext.of(store.snapshot(), true), node);
    return r.routes().get(port).getVirtualHostsList().stream().filter(v -> v.getName().startsWith(H)).findFirst().orElseThrow()
        .getRoutesList();
  }

  static Route named(List<Route> routes, String name) {
    return routes.stream().filter(r -> r.getName().equals(name)).findFirst().orElseThrow(() -> new AssertionError("no route " + name));
  }

  static HeaderMatcher header(Route r, String name) {
    return r.getMatch().getHeadersList().stream().filter(h -> h.getName().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError("no header matcher " + name + " in " + r.getName()));
  }

  @Test
  void portSourceLabelsAndGatewaysDecideWhichMatchesASidecarGets() {
    assertThat(routes("productpage", "9080")).extracting(Route::getName)
        .containsExactly("exact", "regex", "verbs", "from-productpage", "mesh-too", "moved", "rest");
    assertThat(routes("productpage", "9090")).extracting(Route::getName)
        .containsExactly("exact", "regex", "verbs", "admin-port", "from-productpage", "mesh-too", "moved", "rest");
    assertThat(routes("ratings", "9080")).extracting(Route::getName)
        .containsExactly("exact", "regex", "verbs", "from-ratings", "mesh-too", "moved", "rest");
    assertThat(named(routes("productpage", "9090"), "admin-port").getRoute().getCluster()).isEqualTo("outbound|9090|v1|" + H);
  }

  @Test
  void uriQueryAndPseudoHeaderMatchers() {
    var routes = routes("productpage", "9080");
    assertThat(named(routes, "exact").getMatch().getPath()).isEqualTo("/health");
    var regex = named(routes, "regex").getMatch();
    assertThat(regex.getSafeRegex().getRegex()).isEqualTo("/users/[0-9]+");
    assertThat(regex.getQueryParametersList()).hasSize(2);
    var debug = regex.getQueryParametersList().stream().filter(q -> q.getName().equals("debug")).findFirst().orElseThrow();
    assertThat(debug.getStringMatch().getExact()).isEqualTo("1");
    var trace = regex.getQueryParametersList().stream().filter(q -> q.getName().equals("trace")).findFirst().orElseThrow();
    assertThat(trace.getStringMatch().getSafeRegex().getRegex()).isEqualTo("on|yes");

    var verbs = named(routes, "verbs");
    assertThat(header(verbs, ":method").getStringMatch().getExact()).isEqualTo("POST");
    assertThat(header(verbs, ":authority").getStringMatch().getPrefix()).isEqualTo("reviews");
    assertThat(header(verbs, ":scheme").getStringMatch().getExact()).isEqualTo("https");
    assertThat(header(verbs, "x-user").getStringMatch().getPrefix()).isEqualTo("a");
    assertThat(header(verbs, "x-user").getInvertMatch()).isFalse();
    var canary = header(verbs, "x-canary");
    assertThat(canary.getInvertMatch()).as("withoutHeaders inverts the match").isTrue();
    assertThat(canary.getStringMatch().getExact()).isEqualTo("1");
    assertThat(verbs.getRoute().getCluster()).isEqualTo("outbound|9080|v2|" + H);
  }

  @Test
  void regexRewriteDirectResponseResponseHeadersAndRedirectPortScheme() {
    var routes = routes("productpage", "9080");
    var exact = named(routes, "exact");
    assertThat(exact.hasRoute()).isFalse();
    assertThat(exact.getDirectResponse().getStatus()).isEqualTo(204);
    assertThat(exact.getDirectResponse().getBody().getInlineString()).isEqualTo("all good");

    var regex = named(routes, "regex");
    assertThat(regex.getRoute().getRegexRewrite().getPattern().getRegex()).isEqualTo("^/users/([0-9]+)$");
    assertThat(regex.getRoute().getRegexRewrite().getSubstitution()).isEqualTo("/u/\\1");
    assertThat(regex.getRoute().getPrefixRewrite()).isEmpty();
    assertThat(regex.getResponseHeadersToAddList()).extracting(o -> o.getHeader().getKey(), o -> o.getHeader().getValue(),
        HeaderValueOption::getAppendAction).containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple("x-served-by", "reviews", HeaderValueOption.HeaderAppendAction.OVERWRITE_IF_EXISTS_OR_ADD),
            org.assertj.core.groups.Tuple.tuple("x-extra", "2", HeaderValueOption.HeaderAppendAction.APPEND_IF_EXISTS_OR_ADD));
    assertThat(regex.getResponseHeadersToRemoveList()).containsExactly("server");
    assertThat(regex.getRequestHeadersToAddList()).isEmpty();

    var moved = named(routes, "moved").getRedirect();
    assertThat(moved.getHostRedirect()).isEqualTo("new.example.com");
    assertThat(moved.getPortRedirect()).isEqualTo(8443);
    assertThat(moved.getSchemeRedirect()).isEqualTo("https");
    assertThat(moved.getPathRedirect()).isEqualTo("/there");
    assertThat(moved.getResponseCode()).as("Istio's default redirect code").isEqualTo(RedirectAction.RedirectResponseCode.MOVED_PERMANENTLY);
  }
}
