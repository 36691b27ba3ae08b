package io.meshwork.control.security;

import com.google.protobuf.Any;
import com.google.protobuf.BoolValue;
import com.google.protobuf.InvalidProtocolBufferException;
import io.envoyproxy.envoy.config.core.v3.HttpUri;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.rbac.v3.RBAC;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtHeader;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtClaimToHeader;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtProvider;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtRequirement;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtRequirementOrList;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.RemoteJwks;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.RequirementRule;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.meshwork.config.security.AuthorizationPolicy;
import io.meshwork.config.security.JWTRule;
import io.meshwork.config.security.RequestAuthentication;
import io.meshwork.control.store.ConfigStore;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The security filters of one sidecar's inbound filter chains, from the AuthorizationPolicies and
 * RequestAuthentications that select it.
 *
 * <p><b>Scoping</b> (Istio's): a policy in the root namespace without a selector applies to every
 * workload of the mesh, with a selector to the matching workloads of every namespace; a policy in
 * the workload's namespace applies without a selector to the whole namespace, with one to the
 * matching workloads. Policies with {@code targetRef(s)} attach to gateways and waypoints, never to
 * sidecars, so they are not used here.
 *
 * <p><b>HTTP chains</b>: {@code jwt_authn} (RequestAuthentication), then RBAC filters in Istio's
 * order: AUDIT (action LOG), DENY, ALLOW. CUSTOM policies (ext_authz) are not supported: they are
 * skipped with a warning, so they neither allow nor deny. Every inbound connection manager
 * normalizes paths (normalize_path + merge_slashes, escaped slashes kept) before routing and RBAC.
 * <b>TCP chains</b>: network RBAC filters with the L4 part of the same policies.
 */
public final class InboundAuthz {
  /** The mesh's root namespace (Istio's default {@code istio-system}). */
  public static final String ROOT_NAMESPACE = "istio-system";
  static final String JWT_FILTER = "envoy.filters.http.jwt_authn";
  static final String HTTP_RBAC = "envoy.filters.http.rbac";
  static final String NETWORK_RBAC = "envoy.filters.network.rbac";
  private static final System.Logger LOG = System.getLogger(InboundAuthz.class.getName());

  private final List<RbacBuilder.Named> audit = new ArrayList<>();
  private final List<RbacBuilder.Named> deny = new ArrayList<>();
  private final List<RbacBuilder.Named> allowed = new ArrayList<>();
  private final List<JWTRule> jwtRules = new ArrayList<>();
  private final List<String> warnings = new ArrayList<>();

  private InboundAuthz() {}

  /** The policies of {@code snapshot} that apply to a sidecar in {@code namespace} with {@code labels}. */
  public static InboundAuthz of(ConfigStore.Snapshot snapshot, String rootNamespace, String namespace, Map<String, String> labels) {
    var out = new InboundAuthz();
    var group = "security.istio.io";
    for (var t : snapshot.specs(group, "AuthorizationPolicy", AuthorizationPolicy.class)) {
      var p = t.spec();
      if (!applies(t.namespace(), p.selector(), p.targetRef() != null || !p.targetRefs().isEmpty(), rootNamespace, namespace, labels)) {
        continue;
      }
      var named = new RbacBuilder.Named(t.namespace(), t.name(), p);
      switch (p.effectiveAction()) {
        case ALLOW -> out.allowed.add(named);
        case DENY -> out.deny.add(named);
        case AUDIT -> out.audit.add(named);
        case CUSTOM -> out.warnings.add("AuthorizationPolicy " + t.namespace() + "/" + t.name()
            + ": action CUSTOM (ext_authz) is not supported yet; the policy is skipped");
      }
    }
    for (var t : snapshot.specs(group, "RequestAuthentication", RequestAuthentication.class)) {
      var p = t.spec();
      if (applies(t.namespace(), p.selector(), p.targetRef() != null || !p.targetRefs().isEmpty(), rootNamespace, namespace, labels)) {
        out.jwtRules.addAll(p.jwtRules());
      }
    }
    return out;
  }

  static boolean applies(String policyNs, io.meshwork.config.types.WorkloadSelector selector, boolean targeted, String rootNs,
      String ns, Map<String, String> labels) {
    if (targeted) {
      return false;
    }
    if (!policyNs.equals(rootNs) && !policyNs.equals(ns)) {
      return false;
    }
    return selector == null || selector.matches(labels);
  }

  /** Problems to report (CUSTOM policies skipped, unsupported condition keys). */
  public List<String> warnings() {
    return List.copyOf(warnings);
  }

  /**
   * The HTTP connection manager filter {@code hcm} with path normalization and, before its other
   * HTTP filters, the JWT and RBAC filters.
   */
  public Filter http(Filter hcm) {
    HttpConnectionManager m;
    try {
      m = hcm.getTypedConfig().unpack(HttpConnectionManager.class);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException(e);
    }
    var b = m.toBuilder().setNormalizePath(BoolValue.of(true)).setMergeSlashes(true)
        .setPathWithEscapedSlashesAction(HttpConnectionManager.PathWithEscapedSlashesAction.KEEP_UNCHANGED);
    var added = new ArrayList<HttpFilter>();
    if (!jwtRules.isEmpty()) {
      added.add(HttpFilter.newBuilder().setName(JWT_FILTER).setTypedConfig(Any.pack(jwt())).build());
    }
    for (var rbac : rbac(false)) {
      added.add(HttpFilter.newBuilder().setName(HTTP_RBAC).setTypedConfig(Any.pack(
          io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RBAC.newBuilder().setRules(rbac).build())).build());
    }
    var existing = new ArrayList<>(b.getHttpFiltersList());
    b.clearHttpFilters().addAllHttpFilters(added).addAllHttpFilters(existing);
    log();
    return hcm.toBuilder().setTypedConfig(Any.pack(b.build())).build();
  }

  /** The network RBAC filters to put before a TCP chain's {@code tcp_proxy}. */
  public List<Filter> tcp() {
    var out = new ArrayList<Filter>();
    for (var rbac : rbac(true)) {
      out.add(Filter.newBuilder().setName(NETWORK_RBAC).setTypedConfig(Any.pack(
          io.envoyproxy.envoy.extensions.filters.network.rbac.v3.RBAC.newBuilder().setStatPrefix("tcp.").setRules(rbac).build()))
          .build());
    }
    log();
    return out;
  }

  /** AUDIT (LOG), DENY, ALLOW, each only when a policy of that action applies. */
  List<RBAC> rbac(boolean forTcp) {
    var out = new ArrayList<RBAC>();
    if (!audit.isEmpty()) {
      out.add(RbacBuilder.build(RBAC.Action.LOG, forTcp, audit, warnings));
    }
    if (!deny.isEmpty()) {
      out.add(RbacBuilder.build(RBAC.Action.DENY, forTcp, deny, warnings));
    }
    if (!allowed.isEmpty()) {
      out.add(RbacBuilder.build(RBAC.Action.ALLOW, forTcp, allowed, warnings));
    }
    return out;
  }

  private void log() {
    for (var w : warnings) {
      LOG.log(System.Logger.Level.WARNING, w);
    }
    warnings.clear();
  }

  /**
   * Istio's RequestAuthentication: one provider {@code origins-N} per jwtRule and one rule for
   * {@code /} that requires any of them or none ({@code allow_missing}): a request without a token
   * passes, an invalid token is a 401.
   */
  JwtAuthentication jwt() {
    var a = JwtAuthentication.newBuilder();
    var any = JwtRequirementOrList.newBuilder();
    for (int i = 0; i < jwtRules.size(); i++) {
      var r = jwtRules.get(i);
      var name = "origins-" + i;
      var p = JwtProvider.newBuilder().setIssuer(r.issuer()).addAllAudiences(r.audiences())
          .setForward(Boolean.TRUE.equals(r.forwardOriginalToken())).setPayloadInMetadata(r.issuer());
      if (r.jwks() != null && !r.jwks().isEmpty()) {
        p.setLocalJwks(DataSource.newBuilder().setInlineString(r.jwks()));
      } else if (r.jwksUri() != null && !r.jwksUri().isEmpty()) {
        var uri = URI.create(r.jwksUri());
        int port = uri.getPort() > 0 ? uri.getPort() : ("http".equals(uri.getScheme()) ? 80 : 443);
        var http = HttpUri.newBuilder().setUri(r.jwksUri()).setCluster("outbound|" + port + "||" + uri.getHost())
            .setTimeout(com.google.protobuf.Duration.newBuilder()
                .setSeconds(r.timeout() == null ? 5 : r.timeout().toJava().toSeconds())
                .setNanos(r.timeout() == null ? 0 : r.timeout().toJava().toNanosPart()));
        p.setRemoteJwks(RemoteJwks.newBuilder().setHttpUri(http)
            .setCacheDuration(com.google.protobuf.Duration.newBuilder().setSeconds(20 * 60)));
      }
      for (var h : r.fromHeaders()) {
        p.addFromHeaders(JwtHeader.newBuilder().setName(h.name()).setValuePrefix(h.prefix() == null ? "" : h.prefix()));
      }
      p.addAllFromParams(r.fromParams()).addAllFromCookies(r.fromCookies());
      if (r.outputPayloadToHeader() != null) {
        p.setForwardPayloadHeader(r.outputPayloadToHeader());
      }
      for (var c : r.outputClaimToHeaders()) {
        p.addClaimToHeaders(JwtClaimToHeader.newBuilder().setHeaderName(c.header()).setClaimName(c.claim()));
      }
      a.putProviders(name, p.build());
      any.addRequirements(JwtRequirement.newBuilder().setProviderName(name));
    }
    any.addRequirements(JwtRequirement.newBuilder().setAllowMissing(com.google.protobuf.Empty.getDefaultInstance()));
    a.addRules(RequirementRule.newBuilder().setMatch(RouteMatch.newBuilder().setPrefix("/"))
        .setRequires(JwtRequirement.newBuilder().setRequiresAny(any)));
    return a.build();
  }
}
