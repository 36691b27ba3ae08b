package io.meshwork.control.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.config.rbac.v3.RBAC;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.meshwork.control.Fixtures;
import io.meshwork.control.store.ConfigStore;
import io.meshwork.control.translate.MeshContext;
import io.meshwork.control.translate.Translator;
import io.meshwork.xds.client.NodeInfo;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The generated Envoy config: scoping, filter order, Istio's policy names, TCP rules, JWT providers, HCM normalization. */
class InboundAuthzTest {
  static final String POLICIES = """
      apiVersion: security.istio.io/v1
      kind: AuthorizationPolicy
      metadata: {name: mesh, namespace: istio-system}
      spec:
        action: DENY
        rules: [{to: [{operation: {methods: [TRACE]}}]}]
      ---
      apiVersion: security.istio.io/v1
      kind: AuthorizationPolicy
      metadata: {name: root-selector, namespace: istio-system}
      spec:
        selector: {matchLabels: {app: ratings}}
        rules: [{to: [{operation: {ports: ["9080"]}}]}]
      ---
      apiVersion: security.istio.io/v1
      kind: AuthorizationPolicy
      metadata: {name: ns-wide, namespace: default}
      spec:
        action: AUDIT
        rules: [{to: [{operation: {paths: ["/a"]}}]}]
      ---
      apiVersion: security.istio.io/v1
      kind: AuthorizationPolicy
      metadata: {name: http-allow, namespace: default}
      spec:
        selector: {matchLabels: {app: ratings}}
        rules:
        - to: [{operation: {paths: ["/x"]}}]
        - from: [{source: {ipBlocks: ["10.0.0.0/8"], requestPrincipals: ["*"]}}]
      ---
      apiVersion: security.istio.io/v1
      kind: AuthorizationPolicy
      metadata: {name: other-ns, namespace: other}
      spec:
        action: DENY
        rules: [{}]
      ---
      apiVersion: security.istio.io/v1
      kind: AuthorizationPolicy
      metadata: {name: targeted, namespace: default}
      spec:
        targetRefs: [{kind: Service, group: "", name: ratings}]
        action: DENY
        rules: [{}]
      ---
      apiVersion: security.istio.io/v1
      kind: AuthorizationPolicy
      metadata: {name: ext, namespace: default}
      spec:
        action: CUSTOM
        provider: {name: opa}
        rules: [{}]
      ---
      apiVersion: security.istio.io/v1
      kind: RequestAuthentication
      metadata: {name: jwt, namespace: default}
      spec:
        jwtRules:
        - issuer: https://a.example
          jwksUri: https://a.example:8443/keys
          fromHeaders: [{name: x-jwt, prefix: "Token "}]
          fromParams: [tok]
          forwardOriginalToken: true
          outputPayloadToHeader: x-payload
          outputClaimToHeaders: [{header: x-sub, claim: sub}]
        - issuer: b
          jwks: '{"keys": []}'
      """;

  @Test
  void inboundChainsCarryTheSelectedPolicies() throws Exception {
    var store = new ConfigStore();
    assertThat(store.apply(ConfigStore.API, Fixtures.yaml(POLICIES)).errors()).isEmpty();
    var node = NodeInfo.sidecar("ratings-v1", "default", Map.of("app", "ratings"), "10.0.0.5", Map.of("http", 9080, "tcp", 9090));
    var inbound = Translator.translate(MeshContext.of(store.snapshot(), true), node).listeners().get("virtualInbound");

    var http = inbound.getFilterChainsList().stream().filter(c -> c.getName().equals("inbound|9080||")).findFirst().orElseThrow();
    var hcm = http.getFilters(0).getTypedConfig().unpack(HttpConnectionManager.class);
    assertThat(hcm.getNormalizePath().getValue()).isTrue();
    assertThat(hcm.getMergeSlashes()).isTrue();
    assertThat(hcm.getPathWithEscapedSlashesAction()).isEqualTo(HttpConnectionManager.PathWithEscapedSlashesAction.KEEP_UNCHANGED);
    assertThat(hcm.getHttpFiltersList()).extracting(f -> f.getName()).containsExactly("envoy.filters.http.jwt_authn",
        "envoy.filters.http.rbac", "envoy.filters.http.rbac", "envoy.filters.http.rbac", "envoy.filters.http.fault",
        "envoy.filters.http.cors", "envoy.filters.http.router");
    var audit = rbac(hcm, 1);
    var deny = rbac(hcm, 2);
    var allow = rbac(hcm, 3);
    assertThat(audit.getAction()).isEqualTo(RBAC.Action.LOG);
    assertThat(audit.getPoliciesMap()).containsOnlyKeys("ns[default]-policy[ns-wide]-rule[0]");
    assertThat(deny.getAction()).isEqualTo(RBAC.Action.DENY);
    assertThat(deny.getPoliciesMap()).as("other namespace, targetRefs and CUSTOM are not here")
        .containsOnlyKeys("ns[istio-system]-policy[mesh]-rule[0]");
    assertThat(allow.getAction()).isEqualTo(RBAC.Action.ALLOW);
    assertThat(allow.getPoliciesMap()).containsOnlyKeys("ns[istio-system]-policy[root-selector]-rule[0]",
        "ns[default]-policy[http-allow]-rule[0]", "ns[default]-policy[http-allow]-rule[1]");
    var rule1 = allow.getPoliciesMap().get("ns[default]-policy[http-allow]-rule[1]");
    assertThat(rule1.getPrincipals(0).getAndIds().getIds(1).getDirectRemoteIp().getAddressPrefix()).isEqualTo("10.0.0.0");
    assertThat(rule1.getPrincipals(0).getAndIds().getIds(0).getMetadata().getFilter()).isEqualTo("istio_authn");

    var jwt = hcm.getHttpFilters(0).getTypedConfig().unpack(JwtAuthentication.class);
    var a = jwt.getProvidersMap().get("origins-0");
    assertThat(a.getIssuer()).isEqualTo("https://a.example");
    assertThat(a.getRemoteJwks().getHttpUri().getUri()).isEqualTo("https://a.example:8443/keys");
    assertThat(a.getRemoteJwks().getHttpUri().getCluster()).isEqualTo("outbound|8443||a.example");
    assertThat(a.getRemoteJwks().getCacheDuration().getSeconds()).isEqualTo(1200);
    assertThat(a.getFromHeaders(0).getValuePrefix()).isEqualTo("Token ");
    assertThat(a.getFromParamsList()).containsExactly("tok");
    assertThat(a.getForward()).isTrue();
    assertThat(a.getForwardPayloadHeader()).isEqualTo("x-payload");
    assertThat(a.getClaimToHeaders(0).getHeaderName()).isEqualTo("x-sub");
    assertThat(jwt.getProvidersMap().get("origins-1").getLocalJwks().getInlineString()).isEqualTo("{\"keys\": []}");
    var requires = jwt.getRules(0).getRequires().getRequiresAny().getRequirementsList();
    assertThat(requires).extracting(r -> r.getRequiresTypeCase().name())
        .containsExactly("PROVIDER_NAME", "PROVIDER_NAME", "ALLOW_MISSING");

    // TCP: the same policies, L4 only. ALLOW rules with HTTP fields are dropped; DENY/AUDIT fields are ignored.
    var tcp = inbound.getFilterChainsList().stream().filter(c -> c.getName().equals("inbound|9090||")).findFirst().orElseThrow();
    assertThat(tcp.getFiltersList()).extracting(f -> f.getName()).containsExactly("envoy.filters.network.rbac",
        "envoy.filters.network.rbac", "envoy.filters.network.rbac", "envoy.filters.network.tcp_proxy");
    var tcpAudit = tcp.getFilters(0).getTypedConfig().unpack(io.envoyproxy.envoy.extensions.filters.network.rbac.v3.RBAC.class);
    assertThat(tcpAudit.getStatPrefix()).isEqualTo("tcp.");
    assertThat(tcpAudit.getRules().getPoliciesMap().get("ns[default]-policy[ns-wide]-rule[0]").getPermissions(0).getAny())
        .as("AUDIT on TCP: the path is ignored").isTrue();
    var tcpDeny = tcp.getFilters(1).getTypedConfig().unpack(io.envoyproxy.envoy.extensions.filters.network.rbac.v3.RBAC.class);
    assertThat(tcpDeny.getRules().getPoliciesMap().get("ns[istio-system]-policy[mesh]-rule[0]").getPermissions(0).getAny())
        .as("DENY on TCP: the method is ignored, widening the rule").isTrue();
    var tcpAllow = tcp.getFilters(2).getTypedConfig().unpack(io.envoyproxy.envoy.extensions.filters.network.rbac.v3.RBAC.class);
    assertThat(tcpAllow.getRules().getPoliciesMap()).as("ALLOW rules with HTTP fields are dropped on TCP")
        .containsOnlyKeys("ns[istio-system]-policy[root-selector]-rule[0]");
  }

  @Test
  void scoping() throws Exception {
    var store = new ConfigStore();
    assertThat(store.apply(ConfigStore.API, Fixtures.yaml(POLICIES)).errors()).isEmpty();
    var elsewhere = InboundAuthz.of(store.snapshot(), "istio-system", "other", Map.of("app", "ratings"));
    assertThat(elsewhere.rbac(false)).extracting(r -> r.getPoliciesMap().keySet()).containsExactly(
        java.util.Set.of("ns[istio-system]-policy[mesh]-rule[0]", "ns[other]-policy[other-ns]-rule[0]"),
        java.util.Set.of("ns[istio-system]-policy[root-selector]-rule[0]"));
    var unlabelled = InboundAuthz.of(store.snapshot(), "istio-system", "default", Map.of("app", "reviews"));
    assertThat(unlabelled.rbac(false)).extracting(r -> r.getAction()).containsExactly(RBAC.Action.LOG, RBAC.Action.DENY);
    var withCustom = InboundAuthz.of(store.snapshot(), "istio-system", "default", Map.of());
    assertThat(withCustom.warnings()).anyMatch(w -> w.contains("default/ext") && w.contains("CUSTOM"));
  }

  private static RBAC rbac(HttpConnectionManager hcm, int i) throws Exception {
    return hcm.getHttpFilters(i).getTypedConfig().unpack(io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RBAC.class).getRules();
  }
}
