package io.meshwork.security.authz;

import static io.meshwork.security.authz.Policies.engine;
import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.security.authz.Decision.Reason;
import io.meshwork.security.authz.RequestAttributes.JwtAttributes;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The policy matrix: every source, operation and condition field, every action, HTTP and TCP. */
class AuthorizationEngineTest {
  private static final String SLEEP = "cluster.local/ns/default/sa/sleep";
  private static final String ADMIN = "cluster.local/ns/admin/sa/ops";

  /** An mTLS HTTP GET / from {@code sleep} at 10.0.0.1 to 10.0.0.2:8080, host httpbin. */
  private static RequestAttributes.Builder req() {
    return RequestAttributes.http().sourceIp("10.0.0.1").destination("10.0.0.2", 8080).sourcePrincipal(SLEEP)
        .host("httpbin.foo.svc.cluster.local").method("GET").path("/");
  }

  private static RequestAttributes.Builder tcp() {
    return RequestAttributes.tcp().sourceIp("10.0.0.1").destination("10.0.0.2", 6379).sourcePrincipal(SLEEP);
  }

  private static JwtAttributes jwt() {
    return new JwtAttributes("https://issuer.example/alice", List.of("api", "web"), "cli",
        Map.of("groups", List.of("dev", "admin"), "team", Map.of("name", "core"), "email_verified", true, "sub", "alice"));
  }

  private static boolean allowed(AuthorizationEngine e, RequestAttributes.Builder b) {
    return e.evaluate(b.build()).allowed();
  }

  // ---- actions and evaluation order

  @Test
  void noPoliciesAllow() {
    var d = engine().evaluate(req().build());
    assertThat(d.allowed()).isTrue();
    assertThat(d.reason()).isEqualTo(Reason.NO_ALLOW_POLICY);
    assertThat(d.httpStatus()).isZero();
  }

  @Test
  void allowPolicyWithoutRulesDeniesEverything() {
    var d = engine("action: ALLOW\n").evaluate(req().build());
    assertThat(d.allowed()).isFalse();
    assertThat(d.reason()).isEqualTo(Reason.NO_ALLOW_MATCHED);
    assertThat(d.httpStatus()).isEqualTo(403);
    assertThat(Decision.DENIED_BODY).isEqualTo("RBAC: access denied");
  }

  @Test
  void emptyRuleAllowsEverything() {
    var d = engine("rules: [{}]\n").evaluate(req().build());
    assertThat(d.allowed()).isTrue();
    assertThat(d.policy()).isEqualTo("foo/p0");
    assertThat(d.rule()).isZero();
  }

  @Test
  void denyBeatsAllowAndReportsPolicyAndRule() {
    var e = engine("rules: [{}]\n", """
        action: DENY
        rules:
        - to: [{operation: {paths: ["/never"]}}]
        - to: [{operation: {methods: ["DELETE"]}}]
        """);
    var d = e.evaluate(req().method("DELETE").build());
    assertThat(d.allowed()).isFalse();
    assertThat(d.reason()).isEqualTo(Reason.DENY_MATCHED);
    assertThat(d.policy()).isEqualTo("foo/p1");
    assertThat(d.rule()).isEqualTo(1);
    var ok = e.evaluate(req().build());
    assertThat(ok.allowed()).isTrue();
    assertThat(ok.reason()).isEqualTo(Reason.ALLOW_MATCHED);
  }

  @Test
  void denyOnlyPoliciesAllowTheRest() {
    var e = engine("action: DENY\nrules: [{to: [{operation: {methods: [POST]}}]}]\n");
    assertThat(e.evaluate(req().build()).reason()).isEqualTo(Reason.NO_ALLOW_POLICY);
    assertThat(allowed(e, req().method("POST"))).isFalse();
  }

  @Test
  void anyOfSeveralAllowPoliciesSuffices() {
    var e = engine("rules: [{to: [{operation: {methods: [GET]}}]}]\n", "rules: [{to: [{operation: {methods: [PUT]}}]}]\n");
    assertThat(allowed(e, req().method("GET"))).isTrue();
    var d = e.evaluate(req().method("PUT").build());
    assertThat(d.allowed()).isTrue();
    assertThat(d.policy()).isEqualTo("foo/p1");
    assertThat(allowed(e, req().method("POST"))).isFalse();
  }

  @Test
  void auditIsReportedButNeverDecides() {
    var e = engine("action: AUDIT\nrules: [{to: [{operation: {paths: [\"/secret*\"]}}]}]\n",
        "action: DENY\nrules: [{to: [{operation: {methods: [DELETE]}}]}]\n");
    var d = e.evaluate(req().path("/secret/x").build());
    assertThat(d.allowed()).isTrue();
    assertThat(d.audited()).isTrue();
    assertThat(d.auditPolicy()).isEqualTo("foo/p0");
    var denied = e.evaluate(req().path("/secret/x").method("DELETE").build());
    assertThat(denied.allowed()).isFalse();
    assertThat(denied.audited()).isTrue();
    assertThat(e.evaluate(req().path("/public").build()).audited()).isFalse();
  }

  @Test
  void customFailsClosedWhenItMatches() {
    var e = engine("action: CUSTOM\nprovider: {name: ext-authz}\nrules: [{to: [{operation: {paths: [\"/ext*\"]}}]}]\n");
    var d = e.evaluate(req().path("/ext/a").build());
    assertThat(d.allowed()).isFalse();
    assertThat(d.reason()).isEqualTo(Reason.CUSTOM_UNSUPPORTED);
    assertThat(allowed(e, req().path("/other"))).isTrue();
    assertThat(e.warnings()).anyMatch(w -> w.contains("CUSTOM"));
  }

  // ---- from.source

  @Test
  void principals() {
    var e = engine("rules: [{from: [{source: {principals: [\"" + SLEEP + "\", \"cluster.local/ns/prod/*\", \"*/sa/bot\"]}}]}]\n");
    assertThat(allowed(e, req())).isTrue();
    assertThat(allowed(e, req().sourcePrincipal("spiffe://" + SLEEP))).isTrue();
    assertThat(allowed(e, req().sourcePrincipal("cluster.local/ns/prod/sa/x"))).isTrue();
    assertThat(allowed(e, req().sourcePrincipal("other.td/ns/x/sa/bot"))).isTrue();
    assertThat(allowed(e, req().sourcePrincipal(ADMIN))).isFalse();
    assertThat(allowed(e, req().sourcePrincipal(null))).isFalse();
  }

  @Test
  void principalPresenceAndNotPrincipals() {
    var mtlsOnly = engine("rules: [{from: [{source: {principals: [\"*\"]}}]}]\n");
    assertThat(allowed(mtlsOnly, req())).isTrue();
    assertThat(allowed(mtlsOnly, req().sourcePrincipal(null))).isFalse();
    var denyPlaintext = engine("action: DENY\nrules: [{from: [{source: {notPrincipals: [\"*\"]}}]}]\n");
    assertThat(allowed(denyPlaintext, req().sourcePrincipal(null))).isFalse();
    assertThat(allowed(denyPlaintext, req())).isTrue();
    var notSleep = engine("rules: [{from: [{source: {notPrincipals: [\"" + SLEEP + "\"]}}]}]\n");
    assertThat(allowed(notSleep, req())).isFalse();
    assertThat(allowed(notSleep, req().sourcePrincipal(ADMIN))).isTrue();
  }

  @Test
  void namespacesServiceAccountsTrustDomains() {
    var ns = engine("rules: [{from: [{source: {namespaces: [default, \"team-*\"], notNamespaces: [team-x]}}]}]\n");
    assertThat(allowed(ns, req())).isTrue();
    assertThat(allowed(ns, req().sourcePrincipal("cluster.local/ns/team-a/sa/s"))).isTrue();
    assertThat(allowed(ns, req().sourcePrincipal("cluster.local/ns/team-x/sa/s"))).isFalse();
    assertThat(allowed(ns, req().sourcePrincipal(ADMIN))).isFalse();
    assertThat(allowed(ns, req().sourcePrincipal(null))).isFalse();

    var sa = engine("rules: [{from: [{source: {serviceAccounts: [local-sa, admin/ops]}}]}]\n");
    assertThat(allowed(sa, req().sourcePrincipal("cluster.local/ns/foo/sa/local-sa"))).isTrue();
    assertThat(allowed(sa, req().sourcePrincipal("cluster.local/ns/bar/sa/local-sa"))).isFalse();
    assertThat(allowed(sa, req().sourcePrincipal(ADMIN))).isTrue();
    var notSa = engine("rules: [{from: [{source: {notServiceAccounts: [admin/ops]}}]}]\n");
    assertThat(allowed(notSa, req().sourcePrincipal(ADMIN))).isFalse();
    assertThat(allowed(notSa, req())).isTrue();

    var td = engine("rules: [{from: [{source: {trustDomains: [cluster.local], notTrustDomains: [evil.local]}}]}]\n");
    assertThat(allowed(td, req())).isTrue();
    assertThat(allowed(td, req().sourcePrincipal("evil.local/ns/default/sa/sleep"))).isFalse();
  }

  @Test
  void ipBlocksAndRemoteIpBlocks() {
    var e = engine("rules: [{from: [{source: {ipBlocks: [\"10.0.0.0/24\", \"2001:db8::/32\"], notIpBlocks: [\"10.0.0.9\"]}}]}]\n");
    assertThat(allowed(e, req())).isTrue();
    assertThat(allowed(e, req().sourceIp("10.0.1.1"))).isFalse();
    assertThat(allowed(e, req().sourceIp("10.0.0.9"))).isFalse();
    assertThat(allowed(e, req().sourceIp("2001:db8::7"))).isTrue();
    assertThat(allowed(e, req().sourceIp("2001:db9::7"))).isFalse();

    var remote = engine("rules: [{from: [{source: {remoteIpBlocks: [\"203.0.113.0/25\"], notRemoteIpBlocks: [\"203.0.113.7\"]}}]}]\n");
    assertThat(allowed(remote, req().remoteIp("203.0.113.5"))).isTrue();
    assertThat(allowed(remote, req().remoteIp("203.0.113.7"))).isFalse();
    assertThat(allowed(remote, req().remoteIp("203.0.113.200"))).isFalse();
    // without a known original client, remote.ip is the direct peer
    assertThat(allowed(remote, req().sourceIp("203.0.113.9"))).isTrue();
    assertThat(allowed(remote, req())).isFalse();
  }

  @Test
  void requestPrincipals() {
    var e = engine("rules: [{from: [{source: {requestPrincipals: [\"https://issuer.example/*\"], notRequestPrincipals: [\"*/mallory\"]}}]}]\n");
    assertThat(allowed(e, req().jwt(jwt()))).isTrue();
    assertThat(allowed(e, req())).isFalse();
    assertThat(allowed(e, req().jwt(new JwtAttributes("https://issuer.example/mallory", List.of(), null, Map.of())))).isFalse();
    var any = engine("rules: [{from: [{source: {requestPrincipals: [\"*\"]}}]}]\n");
    assertThat(allowed(any, req().jwt(jwt()))).isTrue();
    assertThat(allowed(any, req())).isFalse();
    var denyAnonymous = engine("action: DENY\nrules: [{from: [{source: {notRequestPrincipals: [\"*\"]}}]}]\n");
    assertThat(allowed(denyAnonymous, req())).isFalse();
    assertThat(allowed(denyAnonymous, req().jwt(jwt()))).isTrue();
  }

  @Test
  void fieldsOfOneSourceAreAndedAndSourcesOred() {
    var e = engine("""
        rules:
        - from:
          - source: {namespaces: [default], ipBlocks: ["10.0.0.0/8"]}
          - source: {principals: ["%s"]}
        """.formatted(ADMIN));
    assertThat(allowed(e, req())).isTrue();
    assertThat(allowed(e, req().sourceIp("192.168.0.1"))).isFalse();
    assertThat(allowed(e, req().sourceIp("192.168.0.1").sourcePrincipal(ADMIN))).isTrue();
  }

  // ---- to.operation

  @Test
  void hosts() {
    var e = engine("rules: [{to: [{operation: {hosts: [\"HttpBin.foo.svc.cluster.local\", \"*.example.com\", \"api.*\"], notHosts: [\"bad.example.com\"]}}]}]\n");
    assertThat(allowed(e, req())).isTrue();
    assertThat(allowed(e, req().host("httpbin.foo.svc.cluster.local:8000"))).isTrue();
    assertThat(allowed(e, req().host("www.EXAMPLE.com"))).isTrue();
    assertThat(allowed(e, req().host("api.internal"))).isTrue();
    assertThat(allowed(e, req().host("bad.example.com"))).isFalse();
    assertThat(allowed(e, req().host("other"))).isFalse();
    var withPort = engine("rules: [{to: [{operation: {hosts: [\"svc:8000\"]}}]}]\n");
    assertThat(allowed(withPort, req().host("svc:8000"))).isTrue();
    assertThat(allowed(withPort, req().host("svc:9000"))).isFalse();
  }

  @Test
  void portsAndMethods() {
    var e = engine("rules: [{to: [{operation: {ports: [\"8080\", \"9090\"], notPorts: [\"9090\"], methods: [GET, \"P*\"], notMethods: [PATCH]}}]}]\n");
    assertThat(allowed(e, req())).isTrue();
    assertThat(allowed(e, req().method("POST"))).isTrue();
    assertThat(allowed(e, req().method("PATCH"))).isFalse();
    assertThat(allowed(e, req().method("get"))).isFalse();
    assertThat(allowed(e, req().destination("10.0.0.2", 9090))).isFalse();
    assertThat(allowed(e, req().destination("10.0.0.2", 7070))).isFalse();
  }

  @Test
  void paths() {
    var e = engine("rules: [{to: [{operation: {paths: [\"/exact\", \"/api/*\", \"*.png\", \"/users/{*}/profile\", \"/files/{**}\"], notPaths: [\"/api/internal*\"]}}]}]\n");
    assertThat(allowed(e, req().path("/exact"))).isTrue();
    assertThat(allowed(e, req().path("/exact?q=1"))).isTrue();
    assertThat(allowed(e, req().path("/exact/more"))).isFalse();
    assertThat(allowed(e, req().path("/api/v1"))).isTrue();
    assertThat(allowed(e, req().path("/api/internal/x"))).isFalse();
    assertThat(allowed(e, req().path("/img/a.png"))).isTrue();
    assertThat(allowed(e, req().path("/users/42/profile"))).isTrue();
    assertThat(allowed(e, req().path("/users/42/43/profile"))).isFalse();
    assertThat(allowed(e, req().path("/users//profile"))).isFalse();
    assertThat(allowed(e, req().path("/files/a/b/c"))).isTrue();
    assertThat(allowed(e, req().path("/files/"))).isFalse();
    assertThat(allowed(e, req().path("/other"))).isFalse();
    var any = engine("rules: [{to: [{operation: {paths: [\"*\"]}}]}]\n");
    assertThat(allowed(any, req().path("/anything"))).isTrue();
  }

  @Test
  void operationsAreOred() {
    var e = engine("rules: [{to: [{operation: {methods: [GET], paths: [\"/info*\"]}}, {operation: {methods: [POST], paths: [\"/data\"]}}]}]\n");
    assertThat(allowed(e, req().path("/info/x"))).isTrue();
    assertThat(allowed(e, req().method("POST").path("/data"))).isTrue();
    assertThat(allowed(e, req().method("POST").path("/info"))).isFalse();
  }

  // ---- when

  @Test
  void headerConditions() {
    var e = engine("rules: [{when: [{key: \"request.headers[X-User]\", values: [jason, \"admin-*\"], notValues: [admin-evil]}]}]\n");
    assertThat(allowed(e, req().header("x-user", "jason"))).isTrue();
    assertThat(allowed(e, req().header("X-USER", "admin-bob"))).isTrue();
    assertThat(allowed(e, req().header("x-user", "admin-evil"))).isFalse();
    assertThat(allowed(e, req())).isFalse();
    var deny = engine("action: DENY\nrules: [{when: [{key: \"request.headers[x-token]\", notValues: [\"*\"]}]}]\n");
    assertThat(allowed(deny, req())).isFalse(); // a missing header matches notValues
    assertThat(allowed(deny, req().header("x-token", "t"))).isTrue();
  }

  @Test
  void sourceAndDestinationConditions() {
    assertThat(allowed(engine("rules: [{when: [{key: source.ip, values: [\"10.0.0.0/16\"]}]}]\n"), req())).isTrue();
    assertThat(allowed(engine("rules: [{when: [{key: source.ip, notValues: [\"10.0.0.1\"]}]}]\n"), req())).isFalse();
    assertThat(allowed(engine("rules: [{when: [{key: remote.ip, values: [\"198.51.100.1\"]}]}]\n"), req().remoteIp("198.51.100.1"))).isTrue();
    assertThat(allowed(engine("rules: [{when: [{key: remote.ip, values: [\"198.51.100.1\"]}]}]\n"), req())).isFalse();
    assertThat(allowed(engine("rules: [{when: [{key: source.namespace, values: [default]}]}]\n"), req())).isTrue();
    assertThat(allowed(engine("rules: [{when: [{key: source.namespace, notValues: [default]}]}]\n"), req())).isFalse();
    assertThat(allowed(engine("rules: [{when: [{key: source.principal, values: [\"" + SLEEP + "\"]}]}]\n"), req())).isTrue();
    assertThat(allowed(engine("rules: [{when: [{key: source.principal, values: [\"" + ADMIN + "\"]}]}]\n"), req())).isFalse();
    assertThat(allowed(engine("rules: [{when: [{key: destination.ip, values: [\"10.0.0.2/32\"]}]}]\n"), req())).isTrue();
    assertThat(allowed(engine("rules: [{when: [{key: destination.ip, values: [\"10.0.0.3\"]}]}]\n"), req())).isFalse();
    assertThat(allowed(engine("rules: [{when: [{key: destination.port, values: [\"8080\"]}]}]\n"), req())).isTrue();
    assertThat(allowed(engine("rules: [{when: [{key: destination.port, notValues: [\"8080\"]}]}]\n"), req())).isFalse();
    var sni = engine("rules: [{when: [{key: connection.sni, values: [\"*.svc.cluster.local\"]}]}]\n");
    assertThat(allowed(sni, req().sni("outbound_.8080_._.httpbin.foo.svc.cluster.local"))).isTrue();
    assertThat(allowed(sni, req().sni("example.com"))).isFalse();
    assertThat(allowed(sni, req())).isFalse();
  }

  @Test
  void jwtConditions() {
    var principal = engine("rules: [{when: [{key: request.auth.principal, values: [\"https://issuer.example/alice\"]}]}]\n");
    assertThat(allowed(principal, req().jwt(jwt()))).isTrue();
    assertThat(allowed(principal, req())).isFalse();
    var aud = engine("rules: [{when: [{key: request.auth.audiences, values: [web]}]}]\n");
    assertThat(allowed(aud, req().jwt(jwt()))).isTrue();
    assertThat(allowed(engine("rules: [{when: [{key: request.auth.audiences, values: [other]}]}]\n"), req().jwt(jwt()))).isFalse();
    var presenter = engine("rules: [{when: [{key: request.auth.presenter, values: [cli]}]}]\n");
    assertThat(allowed(presenter, req().jwt(jwt()))).isTrue();
    assertThat(allowed(engine("rules: [{when: [{key: request.auth.presenter, notValues: [cli]}]}]\n"), req().jwt(jwt()))).isFalse();
    var groups = engine("rules: [{when: [{key: \"request.auth.claims[groups]\", values: [admin]}]}]\n");
    assertThat(allowed(groups, req().jwt(jwt()))).isTrue();
    assertThat(allowed(groups, req())).isFalse();
    assertThat(allowed(engine("rules: [{when: [{key: \"request.auth.claims[team][name]\", values: [core]}]}]\n"), req().jwt(jwt()))).isTrue();
    assertThat(allowed(engine("rules: [{when: [{key: \"request.auth.claims[email_verified]\", values: [\"true\"]}]}]\n"), req().jwt(jwt()))).isTrue();
    assertThat(allowed(engine("rules: [{when: [{key: \"request.auth.claims[groups]\", notValues: [admin]}]}]\n"), req().jwt(jwt()))).isFalse();
  }

  @Test
  void conditionsAreAnded() {
    var e = engine("rules: [{when: [{key: source.namespace, values: [default]}, {key: \"request.headers[x]\", values: [\"1\"]}]}]\n");
    assertThat(allowed(e, req().header("x", "1"))).isTrue();
    assertThat(allowed(e, req())).isFalse();
    assertThat(allowed(e, req().header("x", "1").sourcePrincipal(ADMIN))).isFalse();
  }

  // ---- TCP

  @Test
  void tcpAllowRulesWithHttpFieldsNeverMatch() {
    var e = engine("""
        rules:
        - from: [{source: {principals: ["%s"]}}]
          to: [{operation: {methods: [GET]}}]
        """.formatted(SLEEP));
    assertThat(allowed(e, tcp())).isFalse();
    assertThat(allowed(e, req())).isTrue();
    var l4 = engine("rules: [{from: [{source: {principals: [\"" + SLEEP + "\"]}}], to: [{operation: {ports: [\"6379\"]}}]}]\n");
    assertThat(allowed(l4, tcp())).isTrue();
    assertThat(allowed(l4, tcp().sourcePrincipal(ADMIN))).isFalse();
    var jwtOnly = engine("rules: [{from: [{source: {requestPrincipals: [\"*\"]}}]}]\n");
    assertThat(allowed(jwtOnly, tcp())).isFalse();
    var headerWhen = engine("rules: [{when: [{key: \"request.headers[x]\", values: [\"1\"]}]}]\n");
    assertThat(allowed(headerWhen, tcp())).isFalse();
  }

  @Test
  void tcpDenyRulesIgnoreHttpFields() {
    var pathsOnly = engine("action: DENY\nrules: [{to: [{operation: {paths: [\"/admin\"]}}]}]\n");
    assertThat(allowed(pathsOnly, tcp())).isFalse(); // widened: denies every TCP connection in scope
    assertThat(allowed(pathsOnly, req())).isTrue();
    var withPort = engine("action: DENY\nrules: [{to: [{operation: {paths: [\"/admin\"], ports: [\"6379\"]}}]}]\n");
    assertThat(allowed(withPort, tcp())).isFalse();
    assertThat(allowed(withPort, tcp().destination("10.0.0.2", 5432))).isTrue();
    var sourceAndHeader = engine("action: DENY\nrules: [{from: [{source: {namespaces: [admin]}}], when: [{key: \"request.headers[x]\", values: [\"1\"]}]}]\n");
    assertThat(allowed(sourceAndHeader, tcp().sourcePrincipal(ADMIN))).isFalse();
    assertThat(allowed(sourceAndHeader, tcp())).isTrue();
    assertThat(allowed(sourceAndHeader, req().sourcePrincipal(ADMIN))).isTrue(); // on HTTP the header must match too
  }

  @Test
  void tcpL4ConditionsApply() {
    var e = engine("rules: [{when: [{key: destination.port, values: [\"6379\"]}, {key: source.ip, values: [\"10.0.0.0/8\"]}, {key: connection.sni, values: [redis]}]}]\n");
    assertThat(allowed(e, tcp().sni("redis"))).isTrue();
    assertThat(allowed(e, tcp())).isFalse();
    var audit = engine("action: AUDIT\nrules: [{to: [{operation: {methods: [GET]}}]}]\n");
    assertThat(audit.evaluate(tcp().build()).audited()).isTrue(); // AUDIT widens like DENY
  }

  // ---- path normalization bypass attempts

  @Test
  void normalizedPathsCannotBypassDeny() {
    var e = engine("action: DENY\nrules: [{to: [{operation: {paths: [\"/admin\", \"/admin/*\"]}}]}]\n");
    for (var p : List.of("/admin", "/public/../admin", "/%61dmin", "/%61%64%6D%69%6E", "//admin", "/./admin", "/admin/.", "/admin/x/..",
        "/public/%2e%2e/admin", "/public\\..\\admin", "/admin?x=1", "///admin//x", "/a/b/../../admin/x")) {
      assertThat(allowed(e, req().path(p))).as(p).isFalse();
    }
    assertThat(allowed(e, req().path("/administrator"))).isTrue();
    assertThat(allowed(e, req().path("/public"))).isTrue();
    var bad = e.evaluate(req().path("/%zzadmin").build());
    assertThat(bad.allowed()).isFalse();
    assertThat(bad.reason()).isEqualTo(Reason.INVALID_PATH);
    assertThat(bad.httpStatus()).isEqualTo(400);
  }

  @Test
  void normalizedPathsCannotEscapeAnAllowPrefix() {
    var e = engine("rules: [{to: [{operation: {paths: [\"/public/*\"]}}]}]\n");
    assertThat(allowed(e, req().path("/public/page"))).isTrue();
    assertThat(allowed(e, req().path("/public/../admin"))).isFalse();
    assertThat(allowed(e, req().path("/public/%2e%2e/admin"))).isFalse();
    assertThat(allowed(e, req().path("/public/..\\admin"))).isFalse();
  }

  @Test
  void encodedSlashesDependOnTheMode() {
    var specs = Policies.specs("action: DENY\nrules: [{to: [{operation: {paths: [\"/admin*\"]}}]}]\n");
    var merge = AuthorizationEngine.compile(specs, PathNormalization.MERGE_SLASHES);
    var decode = AuthorizationEngine.compile(specs, PathNormalization.DECODE_AND_MERGE_SLASHES);
    var none = AuthorizationEngine.compile(specs, PathNormalization.NONE);
    var attempt = req().path("/public%2F..%2Fadmin");
    assertThat(merge.evaluate(attempt.build()).allowed()).isTrue(); // kept encoded: the backend sees the same undecoded path
    assertThat(decode.evaluate(attempt.build()).allowed()).isFalse();
    assertThat(none.evaluate(req().path("/public/../admin").build()).allowed()).isTrue();
    assertThat(merge.normalization()).isEqualTo(PathNormalization.MERGE_SLASHES);
  }
}
