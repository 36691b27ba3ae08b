package io.meshwork.control.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.control.Fixtures;
import io.meshwork.control.store.ConfigStore;
import io.meshwork.proxy.config.RbacConfig;
import io.meshwork.proxy.config.RbacRequest;
import io.meshwork.proxy.config.RbacTranslator;
import io.meshwork.proxy.transport.PeerIdentity;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The fields that need a verified peer certificate (principals, namespaces, serviceAccounts,
 * trustDomains, source.principal, source.namespace, connection.sni): Istio YAML translated by the
 * control plane, compiled by the proxy, evaluated with the {@link PeerIdentity} the TLS layer
 * attaches to a connection. Until mTLS is on this branch, the identity is attached here by hand.
 */
class PeerIdentityRbacTest {
  static final PeerIdentity SLEEP = new PeerIdentity("spiffe://cluster.local/ns/default/sa/sleep", true, "outbound_.9080_._.ratings");
  static final PeerIdentity FOO = new PeerIdentity("spiffe://cluster.local/ns/foo/sa/bar", true, "");
  static final PeerIdentity OTHER_TD = new PeerIdentity("spiffe://other.domain/ns/default/sa/sleep", true, "");
  static final PeerIdentity UNVERIFIED = new PeerIdentity("spiffe://cluster.local/ns/default/sa/sleep", false, "");

  static List<RbacConfig> filters(String yaml, boolean tcp) throws Exception {
    var store = new ConfigStore();
    assertThat(store.apply(ConfigStore.API, Fixtures.yaml(yaml)).errors()).isEmpty();
    var authz = InboundAuthz.of(store.snapshot(), InboundAuthz.ROOT_NAMESPACE, "default", Map.of("app", "ratings"));
    var out = new ArrayList<RbacConfig>();
    if (tcp) {
      for (var f : authz.tcp()) {
        out.add(RbacTranslator.network(f.getTypedConfig(), "t"));
      }
    } else {
      for (var rbac : authz.rbac(false)) {
        out.add(RbacTranslator.http(com.google.protobuf.Any.pack(
            io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RBAC.newBuilder().setRules(rbac).build()), "h"));
      }
    }
    return out;
  }

  static boolean allowed(List<RbacConfig> filters, PeerIdentity peer) throws Exception {
    var r = new RbacRequest(null, InetAddress.getByName("10.0.0.5"), 9080, InetAddress.getByName("10.0.0.9"), null, peer, Map.of());
    for (var f : filters) {
      if (!f.decide(r).allowed()) {
        return false;
      }
    }
    return true;
  }

  static String allow(String rule) {
    return """
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata: {name: p, namespace: default}
        spec:
          rules:
          - %s
        """.formatted(rule);
  }

  @Test
  void sourceIdentityFields() throws Exception {
    var principals = filters(allow("from: [{source: {principals: [\"cluster.local/ns/default/sa/sleep\"]}}]"), true);
    assertThat(allowed(principals, SLEEP)).isTrue();
    assertThat(allowed(principals, FOO)).isFalse();
    assertThat(allowed(principals, OTHER_TD)).isFalse();
    assertThat(allowed(principals, UNVERIFIED)).as("an unverified certificate is no identity").isFalse();
    assertThat(allowed(principals, PeerIdentity.NONE)).isFalse();

    var prefix = filters(allow("from: [{source: {principals: [\"cluster.local/ns/default/*\"]}}]"), true);
    assertThat(allowed(prefix, SLEEP)).isTrue();
    assertThat(allowed(prefix, FOO)).isFalse();
    var suffix = filters(allow("from: [{source: {principals: [\"*/sa/bar\"]}}]"), true);
    assertThat(allowed(suffix, FOO)).isTrue();
    assertThat(allowed(suffix, SLEEP)).isFalse();
    var any = filters(allow("from: [{source: {principals: [\"*\"]}}]"), true);
    assertThat(allowed(any, FOO)).isTrue();
    assertThat(allowed(any, PeerIdentity.NONE)).isFalse();

    var notPrincipals = filters(allow("from: [{source: {notPrincipals: [\"cluster.local/ns/default/sa/sleep\"]}}]"), true);
    assertThat(allowed(notPrincipals, SLEEP)).isFalse();
    assertThat(allowed(notPrincipals, FOO)).isTrue();

    var namespaces = filters(allow("from: [{source: {namespaces: [\"foo\"]}}]"), true);
    assertThat(allowed(namespaces, FOO)).isTrue();
    assertThat(allowed(namespaces, SLEEP)).isFalse();
    var notNamespaces = filters(allow("from: [{source: {notNamespaces: [\"foo\"]}}]"), false);
    assertThat(allowed(notNamespaces, FOO)).isFalse();
    assertThat(allowed(notNamespaces, SLEEP)).isTrue();

    var serviceAccounts = filters(allow("from: [{source: {serviceAccounts: [\"sleep\", \"foo/bar\"]}}]"), true);
    assertThat(allowed(serviceAccounts, SLEEP)).as("a bare name is in the policy's namespace").isTrue();
    assertThat(allowed(serviceAccounts, FOO)).isTrue();
    assertThat(allowed(serviceAccounts, new PeerIdentity("spiffe://cluster.local/ns/other/sa/sleep", true, ""))).isFalse();

    var trustDomains = filters(allow("from: [{source: {trustDomains: [\"other.domain\"]}}]"), true);
    assertThat(allowed(trustDomains, OTHER_TD)).isTrue();
    assertThat(allowed(trustDomains, SLEEP)).isFalse();
  }

  @Test
  void identityConditions() throws Exception {
    var principal = filters(allow("when: [{key: source.principal, values: [\"cluster.local/ns/default/sa/sleep\"]}]"), false);
    assertThat(allowed(principal, SLEEP)).isTrue();
    assertThat(allowed(principal, FOO)).isFalse();
    var ns = filters(allow("when: [{key: source.namespace, notValues: [\"foo\"]}]"), true);
    assertThat(allowed(ns, SLEEP)).isTrue();
    assertThat(allowed(ns, FOO)).isFalse();
    var sni = filters(allow("when: [{key: connection.sni, values: [\"outbound_.9080_*\"]}]"), true);
    assertThat(allowed(sni, SLEEP)).isTrue();
    assertThat(allowed(sni, FOO)).isFalse();
  }

  @Test
  void denyByIdentityOnTcp() throws Exception {
    var deny = filters("""
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata: {name: d, namespace: istio-system}
        spec:
          action: DENY
          rules:
          - from: [{source: {namespaces: ["foo"]}}]
        """, true);
    assertThat(allowed(deny, FOO)).isFalse();
    assertThat(allowed(deny, SLEEP)).isTrue();
    assertThat(allowed(deny, PeerIdentity.NONE)).isTrue();
  }
}
