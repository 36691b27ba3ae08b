package io.meshwork.proxy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Any;
import com.google.protobuf.UInt32Value;
import io.envoyproxy.envoy.config.core.v3.CidrRange;
import io.envoyproxy.envoy.config.rbac.v3.Permission;
import io.envoyproxy.envoy.config.rbac.v3.Policy;
import io.envoyproxy.envoy.config.rbac.v3.Principal;
import io.envoyproxy.envoy.config.rbac.v3.RBAC;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtProvider;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtRequirement;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtRequirementOrList;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.RequirementRule;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.type.v3.Int32Range;
import io.meshwork.proxy.transport.PeerIdentity;
import io.meshwork.security.authz.PathNormalization;
import java.net.InetAddress;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** RBAC and JWT filter protos to records: what is evaluated, and what is refused with its path. */
class RbacTranslatorTest {
  static RbacConfig http(RBAC rules) throws ConfigException {
    return RbacTranslator.http(Any.pack(io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RBAC.newBuilder().setRules(rules).build()), "f");
  }

  static RBAC allow(Permission perm, Principal id) {
    return RBAC.newBuilder().setAction(RBAC.Action.ALLOW)
        .putPolicies("p", Policy.newBuilder().addPermissions(perm).addPrincipals(id).build()).build();
  }

  static RbacRequest tcp(String local, int port, String peer, PeerIdentity id) throws Exception {
    return new RbacRequest(null, InetAddress.getByName(local), port, InetAddress.getByName(peer), null, id, Map.of());
  }

  static final Principal ANY_ID = Principal.newBuilder().setAny(true).build();

  @Test
  void l4Rules() throws Exception {
    var range = http(allow(Permission.newBuilder().setDestinationPortRange(Int32Range.newBuilder().setStart(9000).setEnd(9100)).build(), ANY_ID));
    assertThat(range.decide(tcp("10.0.0.1", 9099, "10.0.0.2", null)).allowed()).isTrue();
    assertThat(range.decide(tcp("10.0.0.1", 9100, "10.0.0.2", null)).allowed()).as("end is exclusive").isFalse();

    var v6 = http(allow(Permission.newBuilder().setAny(true).build(), Principal.newBuilder().setDirectRemoteIp(
        CidrRange.newBuilder().setAddressPrefix("fd00::").setPrefixLen(UInt32Value.of(8))).build()));
    assertThat(v6.decide(tcp("::1", 1, "fd12::5", null)).allowed()).isTrue();
    assertThat(v6.decide(tcp("::1", 1, "10.0.0.2", null)).allowed()).as("v4 never matches a v6 block").isFalse();

    var authenticated = http(allow(Permission.newBuilder().setAny(true).build(),
        Principal.newBuilder().setAuthenticated(Principal.Authenticated.getDefaultInstance()).build()));
    assertThat(authenticated.decide(tcp("10.0.0.1", 1, "10.0.0.2", new PeerIdentity("spiffe://td/ns/a/sa/b", true, ""))).allowed()).isTrue();
    assertThat(authenticated.decide(tcp("10.0.0.1", 1, "10.0.0.2", PeerIdentity.NONE)).allowed()).isFalse();

    var deny = http(allow(Permission.newBuilder().setAny(true).build(), ANY_ID).toBuilder().setAction(RBAC.Action.DENY).build());
    var d = deny.decide(tcp("10.0.0.1", 1, "10.0.0.2", null));
    assertThat(d.allowed()).isFalse();
    assertThat(d.policy()).isEqualTo("p");
    var log = http(allow(Permission.newBuilder().setAny(true).build(), ANY_ID).toBuilder().setAction(RBAC.Action.LOG).build());
    assertThat(log.decide(tcp("10.0.0.1", 1, "10.0.0.2", null))).isEqualTo(new RbacConfig.Decision(true, "p", true));
    assertThat(RbacTranslator.http(Any.pack(io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RBAC.getDefaultInstance()), "f")
        .decide(tcp("10.0.0.1", 1, "10.0.0.2", null)).allowed()).as("no rules: allow").isTrue();
  }

  @Test
  void unsupportedFieldsAreRefusedWithTheirPath() {
    var cel = RBAC.newBuilder().putPolicies("p", Policy.newBuilder().addPermissions(Permission.newBuilder().setAny(true))
        .addPrincipals(ANY_ID).setCondition(com.google.api.expr.v1alpha1.Expr.getDefaultInstance()).build()).build();
    assertThatThrownBy(() -> http(cel)).hasMessage("f.rules.policies[p].condition: CEL conditions are not supported");
    var filterState = allow(Permission.newBuilder().setAny(true).build(), Principal.newBuilder().setFilterState(
        io.envoyproxy.envoy.type.matcher.v3.FilterStateMatcher.getDefaultInstance()).build());
    assertThatThrownBy(() -> http(filterState)).hasMessage("f.rules.policies[p].principals[0]: RBAC principal FILTER_STATE is not supported");
    var badIp = allow(Permission.newBuilder().setDestinationIp(CidrRange.newBuilder().setAddressPrefix("example.com")).build(), ANY_ID);
    assertThatThrownBy(() -> http(badIp)).hasMessage("f.rules.policies[p].permissions[0].destination_ip.address_prefix: "
        + "\"example.com\" is not an IP address");
  }

  @Test
  void pathNormalizationFromTheConnectionManager() {
    var none = HttpConnectionManager.getDefaultInstance();
    assertThat(PathNormalizationConfig.of(none)).as("Envoy's default: no normalization").isNull();
    var base = none.toBuilder().setNormalizePath(com.google.protobuf.BoolValue.of(true)).build();
    assertThat(PathNormalizationConfig.of(base).mode()).isEqualTo(PathNormalization.BASE);
    assertThat(PathNormalizationConfig.of(base.toBuilder().setMergeSlashes(true).build()).mode()).isEqualTo(PathNormalization.MERGE_SLASHES);
    assertThat(PathNormalizationConfig.of(base.toBuilder().setPathWithEscapedSlashesAction(
        HttpConnectionManager.PathWithEscapedSlashesAction.UNESCAPE_AND_FORWARD).build()).mode())
        .isEqualTo(PathNormalization.DECODE_AND_MERGE_SLASHES);
    assertThat(PathNormalizationConfig.of(none.toBuilder().setPathWithEscapedSlashesAction(
        HttpConnectionManager.PathWithEscapedSlashesAction.REJECT_REQUEST).build()).rejectEscapedSlashes()).isTrue();
  }

  @Test
  void jwtRequirements() throws Exception {
    var provider = JwtProvider.newBuilder().setIssuer("iss").setLocalJwks(DataSource.newBuilder().setInlineString("{\"keys\":[]}")).build();
    var base = JwtAuthentication.newBuilder().putProviders("p", provider);
    assertThat(JwtTranslator.jwt(Any.pack(base.build()), "j").requirement()).isEqualTo(JwtAuthnConfig.Requirement.NONE);
    var required = base.clone().addRules(rule(JwtRequirement.newBuilder().setProviderName("p").build())).build();
    assertThat(JwtTranslator.jwt(Any.pack(required), "j").requirement()).isEqualTo(JwtAuthnConfig.Requirement.REQUIRED);
    var istio = base.clone().addRules(rule(JwtRequirement.newBuilder().setRequiresAny(JwtRequirementOrList.newBuilder()
        .addRequirements(JwtRequirement.newBuilder().setProviderName("p"))
        .addRequirements(JwtRequirement.newBuilder().setAllowMissing(com.google.protobuf.Empty.getDefaultInstance()))).build())).build();
    assertThat(JwtTranslator.jwt(Any.pack(istio), "j").requirement()).isEqualTo(JwtAuthnConfig.Requirement.ALLOW_MISSING);
    var lax = base.clone().addRules(rule(JwtRequirement.newBuilder()
        .setAllowMissingOrFailed(com.google.protobuf.Empty.getDefaultInstance()).build())).build();
    assertThat(JwtTranslator.jwt(Any.pack(lax), "j").requirement()).isEqualTo(JwtAuthnConfig.Requirement.ALLOW_MISSING_OR_FAILED);
    var unknown = base.clone().addRules(rule(JwtRequirement.newBuilder().setProviderName("q").build())).build();
    assertThatThrownBy(() -> JwtTranslator.jwt(Any.pack(unknown), "j"))
        .hasMessage("j.rules[0].requires.provider_name: unknown provider \"q\"");
    var noKeys = JwtAuthentication.newBuilder().putProviders("p", JwtProvider.newBuilder().setIssuer("iss").build()).build();
    assertThatThrownBy(() -> JwtTranslator.jwt(Any.pack(noKeys), "j")).hasMessage("j.providers[p]: a provider needs local_jwks or remote_jwks");
  }

  private static RequirementRule rule(JwtRequirement r) {
    return RequirementRule.newBuilder().setMatch(RouteMatch.newBuilder().setPrefix("/")).setRequires(r).build();
  }
}
