package io.meshwork.control.security;

import com.google.protobuf.UInt32Value;
import io.envoyproxy.envoy.config.core.v3.CidrRange;
import io.envoyproxy.envoy.config.rbac.v3.Permission;
import io.envoyproxy.envoy.config.rbac.v3.Policy;
import io.envoyproxy.envoy.config.rbac.v3.Principal;
import io.envoyproxy.envoy.config.rbac.v3.RBAC;
import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.envoyproxy.envoy.type.matcher.v3.ListMatcher;
import io.envoyproxy.envoy.type.matcher.v3.MetadataMatcher;
import io.envoyproxy.envoy.type.matcher.v3.PathMatcher;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import io.envoyproxy.envoy.type.matcher.v3.ValueMatcher;
import io.meshwork.config.security.AuthorizationPolicy;
import io.meshwork.config.security.Condition;
import io.meshwork.config.security.Operation;
import io.meshwork.config.security.Source;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * One RBAC action's policies, built as Istio builds them: each rule of each policy becomes the
 * Envoy policy {@code ns[NS]-policy[NAME]-rule[N]} whose permission is the AND of the rule's
 * operations (any {@code to}) and its destination conditions, and whose principal is the AND of
 * its sources (any {@code from}) and its source/request conditions.
 *
 * <p>For TCP filter chains ({@code forTcp}) only L4 attributes exist. As Istio does, a rule of an
 * ALLOW policy that uses an HTTP-only field is dropped (it can never allow a TCP connection); in
 * DENY and AUDIT (LOG) policies the HTTP-only field is ignored, which widens the rule.
 */
final class RbacBuilder {
  /** The dynamic metadata namespace where the JWT filter publishes the request's authentication. */
  static final String AUTHN = "istio_authn";

  private final boolean forTcp;
  private final boolean allow;
  private final RBAC.Builder rbac;
  private final List<String> warnings;
  private boolean dropRule;

  private RbacBuilder(RBAC.Action action, boolean forTcp, List<String> warnings) {
    this.forTcp = forTcp;
    this.allow = action == RBAC.Action.ALLOW;
    this.rbac = RBAC.newBuilder().setAction(action);
    this.warnings = warnings;
  }

  /** The RBAC config for {@code policies} (namespace, name, spec each) of one action. */
  static RBAC build(RBAC.Action action, boolean forTcp, List<Named> policies, List<String> warnings) {
    var b = new RbacBuilder(action, forTcp, warnings);
    for (var p : policies) {
      for (int i = 0; i < p.spec().rules().size(); i++) {
        b.add(p, i);
      }
    }
    return b.rbac.build();
  }

  /** A policy with where it lives. */
  record Named(String namespace, String name, AuthorizationPolicy spec) {}

  private void add(Named p, int index) {
    var rule = p.spec().rules().get(index);
    dropRule = false;
    var perms = new ArrayList<Permission>();
    var ids = new ArrayList<Principal>();
    if (!rule.to().isEmpty()) {
      var anyTo = new ArrayList<Permission>();
      for (var to : rule.to()) {
        anyTo.add(operation(to.operation()));
      }
      perms.add(orPerm(anyTo));
    }
    if (!rule.from().isEmpty()) {
      var anyFrom = new ArrayList<Principal>();
      for (var from : rule.from()) {
        anyFrom.add(source(from.source(), p.namespace()));
      }
      ids.add(orIds(anyFrom));
    }
    for (var c : rule.when()) {
      condition(c, p.namespace(), perms, ids);
    }
    if (dropRule) {
      return; // an ALLOW rule with HTTP-only attributes on a TCP chain never matches: Istio drops it
    }
    var name = "ns[" + p.namespace() + "]-policy[" + p.name() + "]-rule[" + index + "]";
    rbac.putPolicies(name, Policy.newBuilder().addPermissions(andPerm(perms)).addPrincipals(andIds(ids)).build());
  }

  /** Whether an HTTP-only field may be used here; on TCP it drops the ALLOW rule or is skipped. */
  private boolean http(List<String> values) {
    if (values.isEmpty()) {
      return false;
    }
    if (forTcp) {
      if (allow) {
        dropRule = true;
      }
      return false;
    }
    return true;
  }

  // ---- operations ----

  private Permission operation(Operation op) {
    var all = new ArrayList<Permission>();
    if (http(op.hosts())) {
      all.add(orPerm(map(op.hosts(), h -> header(":authority", Patterns.host(h)))));
    }
    if (http(op.notHosts())) {
      all.add(notPerm(orPerm(map(op.notHosts(), h -> header(":authority", Patterns.host(h))))));
    }
    if (!op.ports().isEmpty()) {
      all.add(orPerm(map(op.ports(), RbacBuilder::port)));
    }
    if (!op.notPorts().isEmpty()) {
      all.add(notPerm(orPerm(map(op.notPorts(), RbacBuilder::port))));
    }
    if (http(op.methods())) {
      all.add(orPerm(map(op.methods(), m -> header(":method", Patterns.of(m)))));
    }
    if (http(op.notMethods())) {
      all.add(notPerm(orPerm(map(op.notMethods(), m -> header(":method", Patterns.of(m))))));
    }
    if (http(op.paths())) {
      all.add(orPerm(map(op.paths(), RbacBuilder::path)));
    }
    if (http(op.notPaths())) {
      all.add(notPerm(orPerm(map(op.notPaths(), RbacBuilder::path))));
    }
    return andPerm(all);
  }

  private static Permission header(String name, StringMatcher m) {
    return Permission.newBuilder().setHeader(HeaderMatcher.newBuilder().setName(name).setStringMatch(m)).build();
  }

  private static Permission port(String p) {
    return Permission.newBuilder().setDestinationPort(Integer.parseInt(p.strip())).build();
  }

  private static Permission path(String p) {
    return Permission.newBuilder().setUrlPath(PathMatcher.newBuilder().setPath(Patterns.path(p))).build();
  }

  // ---- sources ----

  private Principal source(Source s, String policyNs) {
    var all = new ArrayList<Principal>();
    addIds(all, s.principals(), s.notPrincipals(), v -> authenticated(Patterns.of(v, "spiffe://")));
    if (http(s.requestPrincipals())) {
      all.add(orIds(map(s.requestPrincipals(), v -> metadata("request.auth.principal", v, false))));
    }
    if (http(s.notRequestPrincipals())) {
      all.add(notId(orIds(map(s.notRequestPrincipals(), v -> metadata("request.auth.principal", v, false)))));
    }
    addIds(all, s.namespaces(), s.notNamespaces(), RbacBuilder::namespace);
    addIds(all, s.serviceAccounts(), s.notServiceAccounts(), v -> serviceAccount(v, policyNs));
    addIds(all, s.trustDomains(), s.notTrustDomains(), RbacBuilder::trustDomain);
    addIds(all, s.ipBlocks(), s.notIpBlocks(), v -> ip(v, false));
    addIds(all, s.remoteIpBlocks(), s.notRemoteIpBlocks(), v -> ip(v, true));
    return andIds(all);
  }

  private static void addIds(List<Principal> all, List<String> values, List<String> notValues, Function<String, Principal> f) {
    if (!values.isEmpty()) {
      all.add(orIds(map(values, f)));
    }
    if (!notValues.isEmpty()) {
      all.add(notId(orIds(map(notValues, f))));
    }
  }

  private static Principal authenticated(StringMatcher m) {
    return Principal.newBuilder().setAuthenticated(Principal.Authenticated.newBuilder().setPrincipalName(m)).build();
  }

  /** Istio: the principal's namespace segment, {@code .../ns/NS/...}. */
  private static Principal namespace(String ns) {
    return authenticated(StringMatcher.newBuilder().setSafeRegex(Patterns.regex(".*/ns/" + Patterns.segment(ns) + "/.*")).build());
  }

  /** {@code ns/sa}, or a bare {@code sa} of the policy's namespace. */
  private static Principal serviceAccount(String v, String policyNs) {
    int slash = v.indexOf('/');
    var ns = slash < 0 ? policyNs : v.substring(0, slash);
    var sa = slash < 0 ? v : v.substring(slash + 1);
    return authenticated(StringMatcher.newBuilder()
        .setSafeRegex(Patterns.regex("spiffe://[^/]+/ns/" + Patterns.quote(ns) + "/sa/" + Patterns.quote(sa))).build());
  }

  private static Principal trustDomain(String td) {
    return authenticated(StringMatcher.newBuilder()
        .setSafeRegex(Patterns.regex("spiffe://" + Patterns.segment(td) + "/.*")).build());
  }

  private static Principal ip(String v, boolean remote) {
    var c = cidr(v);
    return remote ? Principal.newBuilder().setRemoteIp(c).build() : Principal.newBuilder().setDirectRemoteIp(c).build();
  }

  static CidrRange cidr(String v) {
    var s = v.strip();
    int slash = s.indexOf('/');
    var addr = slash < 0 ? s : s.substring(0, slash);
    int len = slash < 0 ? (addr.contains(":") ? 128 : 32) : Integer.parseInt(s.substring(slash + 1));
    return CidrRange.newBuilder().setAddressPrefix(addr).setPrefixLen(UInt32Value.of(len)).build();
  }

  /** A value of the JWT filter's metadata: a string ({@code list == false}) or a list where one element matches. */
  private static Principal metadata(String key, String v, boolean list) {
    return metadataPath(List.of(key), v, list);
  }

  private static Principal metadataPath(List<String> keys, String v, boolean list) {
    var m = MetadataMatcher.newBuilder().setFilter(AUTHN);
    for (var k : keys) {
      m.addPath(MetadataMatcher.PathSegment.newBuilder().setKey(k));
    }
    var sm = ValueMatcher.newBuilder().setStringMatch(Patterns.of(v));
    m.setValue(list ? ValueMatcher.newBuilder().setListMatch(ListMatcher.newBuilder().setOneOf(sm)).build() : sm.build());
    return Principal.newBuilder().setMetadata(m).build();
  }

  // ---- conditions ----

  private void condition(Condition c, String policyNs, List<Permission> perms, List<Principal> ids) {
    var key = c.key();
    if (key.startsWith("request.headers[")) {
      if (http(List.of(key))) {
        var name = key.substring("request.headers[".length(), key.length() - 1);
        addIds(ids, c.values(), c.notValues(), v -> Principal.newBuilder()
            .setHeader(HeaderMatcher.newBuilder().setName(name).setStringMatch(Patterns.of(v))).build());
      }
      return;
    }
    if (key.startsWith("request.auth.claims[")) {
      if (http(List.of(key))) {
        var path = new ArrayList<String>();
        path.add("request.auth.claims");
        for (var part : key.substring("request.auth.claims".length()).split("\\]")) {
          if (part.startsWith("[")) {
            path.add(part.substring(1));
          }
        }
        addIds(ids, c.values(), c.notValues(), v -> metadataPath(path, v, true));
      }
      return;
    }
    switch (key) {
      case "source.ip" -> addIds(ids, c.values(), c.notValues(), v -> ip(v, false));
      case "remote.ip" -> addIds(ids, c.values(), c.notValues(), v -> ip(v, true));
      case "source.namespace" -> addIds(ids, c.values(), c.notValues(), RbacBuilder::namespace);
      case "source.principal" -> addIds(ids, c.values(), c.notValues(), v -> authenticated(Patterns.of(v, "spiffe://")));
      case "source.serviceAccount" -> addIds(ids, c.values(), c.notValues(), v -> serviceAccount(v, policyNs));
      case "request.auth.principal", "request.auth.presenter" -> {
        if (http(List.of(key))) {
          addIds(ids, c.values(), c.notValues(), v -> metadata(key, v, false));
        }
      }
      case "request.auth.audiences" -> {
        if (http(List.of(key))) {
          addIds(ids, c.values(), c.notValues(), v -> metadata(key, v, true));
        }
      }
      case "destination.ip" -> addPerms(perms, c, v -> Permission.newBuilder().setDestinationIp(cidr(v)).build());
      case "destination.port" -> addPerms(perms, c, RbacBuilder::port);
      case "connection.sni" -> addPerms(perms, c, v -> Permission.newBuilder().setRequestedServerName(Patterns.of(v)).build());
      default -> {
        // experimental.envoy.filters.* and anything else the proxy cannot evaluate: like an HTTP-only
        // field, it drops an ALLOW rule (fail closed) and is ignored elsewhere.
        warnings.add("when key " + key + " is not supported; " + (allow ? "its ALLOW rule is dropped" : "the condition is ignored"));
        if (allow) {
          dropRule = true;
        }
      }
    }
  }

  private static void addPerms(List<Permission> perms, Condition c, Function<String, Permission> f) {
    if (!c.values().isEmpty()) {
      perms.add(orPerm(map(c.values(), f)));
    }
    if (!c.notValues().isEmpty()) {
      perms.add(notPerm(orPerm(map(c.notValues(), f))));
    }
  }

  // ---- tree helpers ----

  private static <T> List<T> map(List<String> values, Function<String, T> f) {
    var out = new ArrayList<T>();
    for (var v : values) {
      out.add(f.apply(v));
    }
    return out;
  }

  private static Permission andPerm(List<Permission> all) {
    if (all.isEmpty()) {
      return Permission.newBuilder().setAny(true).build();
    }
    return all.size() == 1 ? all.getFirst() : Permission.newBuilder().setAndRules(Permission.Set.newBuilder().addAllRules(all)).build();
  }

  private static Permission orPerm(List<Permission> any) {
    return any.size() == 1 ? any.getFirst() : Permission.newBuilder().setOrRules(Permission.Set.newBuilder().addAllRules(any)).build();
  }

  private static Permission notPerm(Permission p) {
    return Permission.newBuilder().setNotRule(p).build();
  }

  private static Principal andIds(List<Principal> all) {
    if (all.isEmpty()) {
      return Principal.newBuilder().setAny(true).build();
    }
    return all.size() == 1 ? all.getFirst() : Principal.newBuilder().setAndIds(Principal.Set.newBuilder().addAllIds(all)).build();
  }

  private static Principal orIds(List<Principal> any) {
    return any.size() == 1 ? any.getFirst() : Principal.newBuilder().setOrIds(Principal.Set.newBuilder().addAllIds(any)).build();
  }

  private static Principal notId(Principal p) {
    return Principal.newBuilder().setNotId(p).build();
  }
}
