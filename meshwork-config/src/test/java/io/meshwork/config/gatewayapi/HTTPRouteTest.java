package io.meshwork.config.gatewayapi;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.config.codec.LoadedDocument;
import io.meshwork.config.security.Docs;
import org.junit.jupiter.api.Test;

class HTTPRouteTest {
  private static LoadedDocument route(String spec) {
    return Docs.spec("gateway.networking.k8s.io/v1", "HTTPRoute", spec);
  }

  @Test
  void routeBindsWithDefaults() {
    var d = route("""
        parentRefs: [{name: gw}]
        hostnames: ["*.example.com"]
        rules:
        - matches:
          - path: {type: PathPrefix, value: /api}
            headers: [{name: x-user, value: jason}]
            method: GET
          filters:
          - type: RequestHeaderModifier
            requestHeaderModifier: {set: [{name: x-a, value: b}], remove: [x-c]}
          backendRefs:
          - {name: reviews-v1, port: 9080, weight: 90}
          - {name: reviews-v2, port: 9080}
          timeouts: {request: 10s, backendRequest: 2s}
        """);
    assertThat(d.errors()).isEmpty();
    var r = d.resource().spec(HTTPRoute.class);
    assertThat(r.parentRefs().getFirst().effectiveKind()).isEqualTo("Gateway");
    assertThat(r.rules().getFirst().backendRefs().get(1).effectiveWeight()).isEqualTo(1);
    assertThat(r.rules().getFirst().timeouts().backendRequestTimeout().toMillis()).isEqualTo(2000);
    assertThat(Docs.spec("gateway.networking.k8s.io/v1beta1", "HTTPRoute", "rules: [{}]\n").errors()).isEmpty();
  }

  @Test
  void pathValuesFollowTheCrdRules() {
    assertThat(route("rules: [{matches: [{path: {type: Exact, value: api}}]}]\n").errors()).containsExactly(
        "spec.rules[0].matches[0].path: Invalid value: \"object\": value must be an absolute path and start with '/' when type one of ['Exact', 'PathPrefix']");
    assertThat(route("rules: [{matches: [{path: {value: \"/a//b\"}}]}]\n").errors()).containsExactly(
        "spec.rules[0].matches[0].path: Invalid value: \"object\": must not contain '//' when type one of ['Exact', 'PathPrefix']");
    assertThat(route("rules: [{matches: [{path: {type: RegularExpression, value: \"/a(\"}}]}]\n").errors()).singleElement().asString()
        .startsWith("spec.rules[0].matches[0].path.value: Invalid value: \"/a(\": not a valid RE2 regular expression");
    assertThat(route("rules: [{matches: [{path: {type: Prefix, value: /}}]}]\n").errors()).singleElement().asString()
        .startsWith("spec.rules[0].matches[0].path.type: Unsupported value: \"Prefix\": supported values: \"Exact\", \"PathPrefix\", \"RegularExpression\"");
  }

  @Test
  void headerMatches() {
    assertThat(route("rules: [{matches: [{headers: [{name: \"x y\", value: a}]}]}]\n").errors()).singleElement().asString()
        .contains("spec.rules[0].matches[0].headers[0].name in body should match");
    assertThat(route("rules: [{matches: [{headers: [{name: X-A, value: a}, {name: x-a, value: b}]}]}]\n").errors())
        .containsExactly("spec.rules[0].matches[0].headers[1].name: Duplicate value: \"x-a\"");
  }

  @Test
  void weightsAndServicePorts() {
    assertThat(route("rules: [{backendRefs: [{name: a, port: 80, weight: 1000001}]}]\n").errors()).containsExactly(
        "spec.rules[0].backendRefs[0].weight: Invalid value: 1000001: spec.rules[0].backendRefs[0].weight in body should be less than or equal to 1000000");
    assertThat(route("rules: [{backendRefs: [{name: a}]}]\n").errors())
        .containsExactly("spec.rules[0].backendRefs[0]: Invalid value: \"object\": Must have port for Service reference");
    assertThat(route("rules: [{backendRefs: [{name: a, group: example.com, kind: Bucket}]}]\n").errors()).isEmpty();
  }

  @Test
  void filterTypeAndConfigAgree() {
    assertThat(route("rules: [{filters: [{type: URLRewrite, requestHeaderModifier: {remove: [a]}}]}]\n").errors()).containsExactly(
        "spec.rules[0].filters[0]: Invalid value: \"object\": filter.requestHeaderModifier must be nil if the filter.type is not RequestHeaderModifier",
        "spec.rules[0].filters[0]: Invalid value: \"object\": filter.urlRewrite must be specified for URLRewrite filter.type");
    assertThat(route("""
        rules:
        - filters:
          - {type: RequestRedirect, requestRedirect: {scheme: https}}
          - {type: URLRewrite, urlRewrite: {hostname: a.example.com}}
        """).errors()).containsExactly(
        "spec.rules[0].filters: Invalid value: \"array\": May specify either httpRouteFilterRequestRedirect or httpRouteFilterRequestRewrite, but not both");
    assertThat(route("""
        rules:
        - filters:
          - {type: RequestHeaderModifier, requestHeaderModifier: {remove: [a]}}
          - {type: RequestHeaderModifier, requestHeaderModifier: {remove: [b]}}
        """).errors()).containsExactly("spec.rules[0].filters: Invalid value: \"array\": RequestHeaderModifier filter cannot be repeated");
    assertThat(route("rules: [{filters: [{type: RequestRedirect, requestRedirect: {statusCode: 305}}]}]\n").errors()).containsExactly(
        "spec.rules[0].filters[0].requestRedirect.statusCode: Unsupported value: 305: supported values: \"301\", \"302\", \"303\", \"307\", \"308\"");
  }

  @Test
  void replacePrefixMatchNeedsOnePrefixMatch() {
    var rewrite = "filters: [{type: URLRewrite, urlRewrite: {path: {type: ReplacePrefixMatch, replacePrefixMatch: /v2}}}]";
    assertThat(route("rules: [{matches: [{path: {type: PathPrefix, value: /v1}}], " + rewrite + "}]\n").errors()).isEmpty();
    assertThat(route("rules: [{matches: [{path: {type: Exact, value: /v1}}], " + rewrite + "}]\n").errors()).containsExactly(
        "spec.rules[0]: Invalid value: \"object\": When using URL Rewrite filter with path.replacePrefixMatch, exactly one PathPrefix match must be specified");
    assertThat(route("rules: [{filters: [{type: URLRewrite, urlRewrite: {path: {type: ReplaceFullPath}}}]}]\n").errors()).containsExactly(
        "spec.rules[0].filters[0].urlRewrite.path: Invalid value: \"object\": replaceFullPath must be specified when type is set to 'ReplaceFullPath'");
  }

  @Test
  void timeoutsUseGatewayApiDurations() {
    assertThat(route("rules: [{timeouts: {request: 1.5s}}]\n").errors()).singleElement().asString()
        .contains("spec.rules[0].timeouts.request in body should match '^([0-9]{1,5}(h|m|s|ms)){1,4}$'");
    assertThat(route("rules: [{timeouts: {request: 1s, backendRequest: 2s}}]\n").errors()).containsExactly(
        "spec.rules[0].timeouts: Invalid value: \"object\": backendRequest timeout cannot be longer than request timeout");
    assertThat(route("rules: [{timeouts: {request: 0s, backendRequest: 2s}}]\n").errors()).isEmpty();
  }

  @Test
  void parentsAndHostnames() {
    assertThat(route("parentRefs: [{name: gw}, {name: gw}]\n").errors()).containsExactly(
        "spec.parentRefs: Invalid value: \"array\": sectionName or port must be specified when parentRefs includes 2 or more references to the same parent");
    assertThat(route("parentRefs: [{name: gw, sectionName: http}, {name: gw, sectionName: https}]\n").errors()).isEmpty();
    assertThat(route("hostnames: [\"Foo.example.com\"]\n").errors()).singleElement().asString()
        .contains("spec.hostnames[0] in body should match");
    assertThat(route("parentRefs: [{name: gw, port: 0}]\n").errors()).singleElement().asString()
        .contains("spec.parentRefs[0].port in body should be greater than or equal to 1");
  }

  @Test
  void specIsRequired() {
    assertThat(route("").errors()).containsExactly("spec: Required value");
  }
}
