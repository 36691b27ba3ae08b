package io.meshwork.control.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.config.security.AuthorizationPolicy;
import io.meshwork.control.Fixtures;
import io.meshwork.control.store.ConfigStore;
import io.meshwork.proxy.config.RbacConfig;
import io.meshwork.proxy.config.RbacRequest;
import io.meshwork.proxy.config.RbacTranslator;
import io.meshwork.proxy.config.RequestHead;
import io.meshwork.proxy.transport.PeerIdentity;
import io.meshwork.security.authz.AuthorizationEngine;
import io.meshwork.security.authz.PathNormalization;
import io.meshwork.security.authz.PathNormalizer;
import io.meshwork.security.authz.PolicySource;
import io.meshwork.security.authz.RequestAttributes;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Two independent implementations of Istio's semantics must agree: the security library's
 * {@link AuthorizationEngine} (evaluates AuthorizationPolicy directly) and the control plane's
 * translation to Envoy RBAC evaluated by the proxy's RBAC filter. Thousands of generated HTTP
 * requests and TCP connections over the matrix policies (all fields and actions except CUSTOM,
 * which the engine fails closed and the translation skips) get the same decision from both.
 */
class EngineAgreementTest {
  static final String[] METHODS = {"GET", "POST", "PUT", "DELETE", "TRACE"};
  static final String[] PATHS = {"/public/a", "/admin", "/admin/x", "/ADMIN", "/adminx", "/exact", "/exact/more", "/data/x.json",
      "/host", "/not-host", "/write", "/secret/x", "/anything", "/ip", "/not-ip", "/remote", "/not-remote", "/hdr", "/port",
      "/not-port", "/dport", "/srcip", "/sni", "/mtls", "/ns", "/plaintext-only", "/jwt", "/anonymous-only", "/claims", "/aud",
      "/public/../admin", "//admin", "/%61dmin", "/public/audited"};
  static final String[] HOSTS = {"ratings", "api.example.com", "API.Example.com:8080", "www.example.com"};
  static final String[] SOURCES = {"127.0.0.1", "10.1.2.3"};
  static final String[] REMOTES = {null, "203.0.113.7", "198.51.100.4"};
  static final String[] PRINCIPALS = {null, "cluster.local/ns/default/sa/sleep", "cluster.local/ns/foo/sa/bar"};
  static final String[] SNIS = {null, "outbound_.9080_._.ratings"};
  static final int PORT = 9080;

  @Test
  void translationAndEngineDecideAlike() throws Exception {
    var yaml = PolicyMatrixTest.policiesText(PORT, 9090, 1);
    var store = new ConfigStore();
    assertThat(store.apply(ConfigStore.API, Fixtures.yaml(yaml)).errors()).isEmpty();
    var sources = new ArrayList<PolicySource>();
    for (var t : store.snapshot().specs("security.istio.io", "AuthorizationPolicy", AuthorizationPolicy.class)) {
      if (InboundAuthz.applies(t.namespace(), t.spec().selector(), false, "istio-system", "default", Map.of("app", "ratings"))
          && t.spec().effectiveAction() != AuthorizationPolicy.Action.CUSTOM) {
        sources.add(new PolicySource(t.namespace(), t.name(), t.spec()));
      }
    }
    var engine = AuthorizationEngine.compile(sources, PathNormalization.MERGE_SLASHES);
    var authz = InboundAuthz.of(store.snapshot(), "istio-system", "default", Map.of("app", "ratings"));
    var http = new ArrayList<RbacConfig>();
    for (var r : authz.rbac(false)) {
      http.add(RbacTranslator.http(com.google.protobuf.Any.pack(
          io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RBAC.newBuilder().setRules(r).build()), "h"));
    }
    var tcp = new ArrayList<RbacConfig>();
    for (var f : authz.tcp()) {
      tcp.add(RbacTranslator.network(f.getTypedConfig(), "t"));
    }
    var random = new Random(42);
    int allowed = 0;
    for (int i = 0; i < 4000; i++) {
      var method = pick(random, METHODS);
      var path = pick(random, PATHS);
      var host = pick(random, HOSTS);
      var src = pick(random, SOURCES);
      var remote = pick(random, REMOTES);
      var principal = pick(random, PRINCIPALS);
      var sni = pick(random, SNIS);
      int port = random.nextBoolean() ? PORT : 9090;
      var headers = new HashMap<String, List<String>>();
      if (random.nextBoolean()) {
        headers.put("x-token", List.of(random.nextBoolean() ? "abcdef" : "zzz"));
      }
      if (random.nextInt(4) == 0) {
        headers.put("x-block", List.of("yes"));
      }
      if (random.nextInt(4) == 0) {
        headers.put("x-bad", List.of("1"));
      }
      var jwt = switch (random.nextInt(3)) {
        case 0 -> null;
        case 1 -> new RequestAttributes.JwtAttributes("https://issuer.example/alice", List.of("ratings"), "cli",
            Map.of("groups", List.of("users", "admins"), "org", Map.of("team", "blue"), "sub", "alice"));
        default -> new RequestAttributes.JwtAttributes("https://other.example/bob", List.of("billing"), null,
            Map.of("groups", "users", "sub", "bob"));
      };
      var b = RequestAttributes.http().method(method).path(path).host(host).sourceIp(src).destination("127.0.0.2", port).jwt(jwt);
      if (remote != null) {
        b.remoteIp(remote);
      }
      if (principal != null) {
        b.sourcePrincipal(principal);
      }
      if (sni != null) {
        b.sni(sni);
      }
      headers.forEach((k, v) -> b.header(k, v.getFirst()));
      var expected = engine.evaluate(b.build()).allowed();
      var peer = principal == null ? new PeerIdentity("", false, sni) : new PeerIdentity("spiffe://" + principal, true, sni);
      var head = new Head(method, PathNormalizer.normalize(path, PathNormalization.MERGE_SLASHES), host, headers);
      var req = new RbacRequest(head, InetAddress.getByName("127.0.0.2"), port, InetAddress.getByName(src),
          remote == null ? null : InetAddress.getByName(remote), peer, jwt == null ? Map.of() : Map.of("istio_authn", metadata(jwt)));
      var actual = http.stream().allMatch(f -> f.decide(req).allowed());
      assertThat(actual).as("HTTP %s %s host=%s src=%s remote=%s principal=%s sni=%s port=%d headers=%s jwt=%s", method, path, host,
          src, remote, principal, sni, port, headers, jwt == null ? null : jwt.principal()).isEqualTo(expected);
      allowed += expected ? 1 : 0;

      var t = RequestAttributes.tcp().sourceIp(src).destination("127.0.0.2", port);
      if (principal != null) {
        t.sourcePrincipal(principal);
      }
      if (sni != null) {
        t.sni(sni);
      }
      var tcpReq = new RbacRequest(null, InetAddress.getByName("127.0.0.2"), port, InetAddress.getByName(src), null, peer, Map.of());
      assertThat(tcp.stream().allMatch(f -> f.decide(tcpReq).allowed())).as("TCP src=%s principal=%s port=%d", src, principal, port)
          .isEqualTo(engine.evaluate(t.build()).allowed());
    }
    assertThat(allowed).as("the sample exercises both outcomes").isBetween(200, 3800);
  }

  private static String pick(Random r, String[] values) {
    return values[r.nextInt(values.length)];
  }

  /** The JWT filter's {@code istio_authn} metadata, as the proxy publishes it. */
  private static Map<String, Object> metadata(RequestAttributes.JwtAttributes jwt) {
    var m = new HashMap<String, Object>();
    m.put("request.auth.principal", jwt.principal());
    m.put("request.auth.audiences", jwt.audiences());
    if (jwt.presenter() != null) {
      m.put("request.auth.presenter", jwt.presenter());
    }
    m.put("request.auth.claims", claims(jwt.claims()));
    return m;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> claims(Map<String, Object> in) {
    var out = new HashMap<String, Object>();
    in.forEach((k, v) -> out.put(k, v instanceof Map<?, ?> m ? claims((Map<String, Object>) m)
        : v instanceof List<?> l ? l.stream().map(String::valueOf).toList() : List.of(String.valueOf(v))));
    return out;
  }

  private record Head(String method, String path, String authority, Map<String, List<String>> headers) implements RequestHead {
    @Override
    public String query() {
      return "";
    }

    @Override
    public String scheme() {
      return "http";
    }

    @Override
    public String header(String name) {
      return switch (name) {
        case ":method" -> method;
        case ":path" -> path;
        case ":authority" -> authority;
        default -> headers.containsKey(name.toLowerCase()) ? String.join(",", headers.get(name.toLowerCase())) : null;
      };
    }
  }
}
