package io.meshwork.config.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.config.codec.LoadedDocument;
import org.junit.jupiter.api.Test;

class AuthorizationPolicyTest {
  private static LoadedDocument ap(String spec) {
    return Docs.spec("security.istio.io/v1", "AuthorizationPolicy", spec);
  }

  @Test
  void typicalAllowPolicyBinds() {
    var d = ap("""
        selector: {matchLabels: {app: reviews}}
        action: ALLOW
        rules:
        - from:
          - source: {principals: ["cluster.local/ns/default/sa/productpage"]}
          to:
          - operation: {methods: [GET], paths: ["/reviews/*"], ports: ["9080"]}
          when:
          - key: request.headers[x-user]
            values: [jason]
        """);
    assertThat(d.errors()).isEmpty();
    var policy = d.resource().spec(AuthorizationPolicy.class);
    assertThat(policy.effectiveAction()).isEqualTo(AuthorizationPolicy.Action.ALLOW);
    assertThat(policy.rules().getFirst().to().getFirst().operation().ports()).containsExactly("9080");
  }

  @Test
  void customNeedsAProvider() {
    assertThat(ap("action: CUSTOM\nrules: [{}]\n").errors())
        .containsExactly("spec.provider.name: Required value: a CUSTOM policy must name its extension provider");
    assertThat(ap("action: CUSTOM\nprovider: {name: ext-authz}\nrules: [{}]\n").errors()).isEmpty();
  }

  @Test
  void customCannotMatchIdentities() {
    var d = ap("""
        action: CUSTOM
        provider: {name: ext}
        rules:
        - from: [{source: {principals: [a]}}]
          when: [{key: "request.auth.claims[iss]", values: [x]}]
        """);
    assertThat(d.errors()).containsExactlyInAnyOrder(
        "spec.rules[0].from[0].source.principals: Forbidden: principals is currently not supported with the CUSTOM action",
        "spec.rules[0].when[0].key: Forbidden: request.auth.claims[iss] is currently not supported with the CUSTOM action");
  }

  @Test
  void providerOnlyWithCustom() {
    assertThat(ap("action: DENY\nprovider: {name: ext}\nrules: [{}]\n").errors())
        .containsExactly("spec.provider: Forbidden: provider can only be used with action CUSTOM, not DENY");
  }

  @Test
  void denyWithoutRulesIsMeaningless() {
    assertThat(ap("action: DENY\n").errors()).singleElement().asString().contains("DENY policy without rules never triggers");
    var allowNothing = ap("action: ALLOW\n");
    assertThat(allowNothing.errors()).isEmpty();
    assertThat(allowNothing.warnings()).anyMatch(w -> w.contains("denies every request"));
  }

  @Test
  void denyOnHttpAttributesOnlyWarns() {
    var d = ap("action: DENY\nrules:\n- to: [{operation: {methods: [POST]}}]\n");
    assertThat(d.errors()).isEmpty();
    assertThat(d.warnings()).anyMatch(w -> w.contains("denies all traffic to TCP ports"));
    assertThat(ap("action: DENY\nrules:\n- to: [{operation: {methods: [POST], ports: [\"80\"]}}]\n").warnings()).isEmpty();
  }

  @Test
  void serviceAccountsHaveTheirOwnForm() {
    assertThat(ap("rules:\n- from: [{source: {serviceAccounts: [\"a/b/c\", \"ns/*\", \"/sa\"]}}]\n").errors()).containsExactly(
        "spec.rules[0].from[0].source.serviceAccounts[0]: Invalid value: \"a/b/c\": expected format 'serviceAccount' or 'namespace/serviceAccount'",
        "spec.rules[0].from[0].source.serviceAccounts[1]: Invalid value: \"ns/*\": wildcard not allowed",
        "spec.rules[0].from[0].source.serviceAccounts[2]: Invalid value: \"/sa\": expected format 'serviceAccount' or 'namespace/serviceAccount'");
  }

  @Test
  void serviceAccountsExcludeNamespacesAndPrincipals() {
    assertThat(ap("rules:\n- from: [{source: {serviceAccounts: [sa], notPrincipals: [p]}}]\n").errors())
        .containsExactly("spec.rules[0].from[0].source: Invalid value: \"object\": Cannot set serviceAccounts with namespaces or principals");
  }

  @Test
  void ipBlocksAreAddressesOrCidrs() {
    var d = ap("rules:\n- from: [{source: {ipBlocks: [\"10.0.0.1\", \"10.0.0.0/8\", \"::1\", \"2001:db8::/32\", \"10.0.0.256\", \"10.0.0.0/33\", \"01.2.3.4\"]}}]\n");
    assertThat(d.errors()).containsExactly(
        "spec.rules[0].from[0].source.ipBlocks[4]: Invalid value: \"10.0.0.256\": bad IP address: give an IPv4 or IPv6 address such as 10.1.2.3",
        "spec.rules[0].from[0].source.ipBlocks[5]: Invalid value: \"10.0.0.0/33\": bad CIDR range: give an address and a prefix length such as 10.0.0.0/16 or 2001:db8::/32",
        "spec.rules[0].from[0].source.ipBlocks[6]: Invalid value: \"01.2.3.4\": bad IP address: give an IPv4 or IPv6 address such as 10.1.2.3");
  }

  @Test
  void emptySourceOrOperationOrValueIsRejected() {
    assertThat(ap("rules:\n- from: [{source: {}}]\n").errors()).singleElement().asString()
        .startsWith("spec.rules[0].from[0].source: Invalid value: \"object\": a source must set at least one field");
    assertThat(ap("rules:\n- to: [{operation: {}}]\n").errors()).singleElement().asString()
        .startsWith("spec.rules[0].to[0].operation: Invalid value: \"object\": an operation must set at least one field");
    assertThat(ap("rules:\n- from: [{source: {namespaces: [\"\"]}}]\n").errors())
        .containsExactly("spec.rules[0].from[0].source.namespaces[0]: Invalid value: \"\": empty value not allowed");
    assertThat(ap("rules:\n- from: [{}]\n").errors())
        .containsExactly("spec.rules[0].from[0].source: Required value: each from entry needs a source");
  }

  @Test
  void operationPortsAndPathTemplates() {
    var d = ap("rules:\n- to: [{operation: {ports: [\"http\", \"65536\"], paths: [\"/{**}/x/{*}\", \"/a/{name}\", \"/ok/{*}/b\"]}}]\n");
    assertThat(d.errors()).containsExactly(
        "spec.rules[0].to[0].operation.ports[0]: Invalid value: \"http\": bad port: give a port number between 0 and 65535",
        "spec.rules[0].to[0].operation.ports[1]: Invalid value: \"65536\": bad port: give a port number between 0 and 65535",
        "spec.rules[0].to[0].operation.paths[0]: Invalid value: \"/{**}/x/{*}\": invalid or unsupported path: {**} must be the last operator of a path template",
        "spec.rules[0].to[0].operation.paths[1]: Invalid value: \"/a/{name}\": invalid or unsupported path: contains '{' or '}' beyond a supported path template ({*} or {**})");
  }

  @Test
  void conditionKeysAndValues() {
    var d = ap("""
        rules:
        - when:
          - {key: source.ip, values: ["1.2.3.4/24", "nope"]}
          - {key: destination.port, notValues: ["99999"]}
          - {key: "destination.labels[app]", values: [x]}
          - {key: request.headers, values: [x]}
          - {key: "request.auth.claims[groups]"}
          - {key: something.else, values: [x]}
        """);
    assertThat(d.errors()).containsExactly(
        "spec.rules[0].when[0].values[1]: Invalid value: \"nope\": bad IP address: give an IPv4 or IPv6 address such as 10.1.2.3",
        "spec.rules[0].when[1].notValues[0]: Invalid value: \"99999\": bad port: give a port number between 0 and 65535",
        "spec.rules[0].when[2].key: Invalid value: \"destination.labels[app]\": attribute destination.labels[app] is replaced by the workload selector",
        "spec.rules[0].when[3].key: Invalid value: \"request.headers\": bad key: should have the form name[key], such as request.headers[x-user]",
        "spec.rules[0].when[4].values: Required value: at least one of values or notValues must be set for key request.auth.claims[groups]",
        "spec.rules[0].when[5].key: Invalid value: \"something.else\": unknown attribute: use one of Istio's condition keys (source.ip, request.headers[name], request.auth.claims[name], destination.port, ...)");
  }

  @Test
  void targetRefsAreSameNamespaceAndOfSupportedKinds() {
    assertThat(ap("targetRefs:\n- {kind: Deployment, group: apps, name: x}\n").errors()).singleElement().asString()
        .startsWith("spec.targetRefs[0]: Invalid value: \"object\": Support kinds are core/Service");
    assertThat(ap("targetRef: {kind: Gateway, group: gateway.networking.k8s.io, name: gw, namespace: other}\n").errors())
        .containsExactly("spec.targetRef.namespace: Invalid value: \"other\": cross namespace referencing is not currently supported");
    assertThat(ap("targetRefs: [{kind: Service, group: \"\", name: a}]\nselector: {matchLabels: {a: b}}\n").errors())
        .containsExactly("spec: Invalid value: \"object\": only one of targetRefs or selector can be set");
    assertThat(ap("targetRefs: [{kind: ServiceEntry, group: networking.istio.io, name: a}]\n").errors()).isEmpty();
  }

  @Test
  void wildcardInTheMiddleWarns() {
    var d = ap("rules:\n- from: [{source: {principals: [\"cluster.local/ns/*/sa/x\", \"cluster.local/*\"]}}]\n");
    assertThat(d.errors()).isEmpty();
    assertThat(d.warnings()).containsExactly(
        "spec.rules[0].from[0].source.principals[0]: '*' only matches as a prefix or suffix; \"cluster.local/ns/*/sa/x\" is matched literally");
  }

  @Test
  void unknownFieldsAreRejected() {
    assertThat(ap("rules:\n- from: [{source: {principal: [a]}}]\n").errors()).singleElement().asString()
        .startsWith("spec.rules[0].from[0].source.principal: Unknown field");
  }
}
