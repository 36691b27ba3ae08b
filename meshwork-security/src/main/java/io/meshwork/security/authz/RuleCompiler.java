package io.meshwork.security.authz;

import io.meshwork.config.security.AuthorizationPolicy.Action;
import io.meshwork.config.security.Condition;
import io.meshwork.config.security.Operation;
import io.meshwork.config.security.Rule;
import io.meshwork.config.security.Source;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Compiles one rule into a predicate, once for HTTP and once for TCP. Within a rule, {@code from}
 * entries are OR-ed, fields of one source or operation are AND-ed, the values of a field are
 * OR-ed and its {@code not*} values are a NOT of an OR; every {@code when} condition must hold.
 *
 * <p>On TCP, fields that need HTTP (request principals, hosts, methods, paths, headers, JWT
 * claims) follow Istio: in an ALLOW policy such a rule is dropped (it can never allow a TCP
 * connection); in DENY, AUDIT and CUSTOM policies the field is ignored, which widens the rule, so
 * a DENY rule on HTTP-only fields denies every TCP connection in scope.
 */
final class RuleCompiler {
  /** Thrown to drop a rule that cannot be evaluated for an ALLOW policy. */
  static final class Dropped extends Exception {
    Dropped(String why) {
      super(why, null, false, false);
    }
  }

  private final boolean tcp;
  private final Action action;
  private final String policyNamespace;
  private final List<String> warnings;

  RuleCompiler(boolean tcp, Action action, String policyNamespace, List<String> warnings) {
    this.tcp = tcp;
    this.action = action;
    this.policyNamespace = policyNamespace;
    this.warnings = warnings;
  }

  Predicate<EvalContext> compile(Rule rule) throws Dropped {
    var parts = new ArrayList<Predicate<EvalContext>>();
    if (!rule.from().isEmpty()) {
      var any = new ArrayList<Predicate<EvalContext>>();
      for (var f : rule.from()) {
        any.add(source(f.source()));
      }
      parts.add(anyOf(any));
    }
    if (!rule.to().isEmpty()) {
      var any = new ArrayList<Predicate<EvalContext>>();
      for (var t : rule.to()) {
        any.add(operation(t.operation()));
      }
      parts.add(anyOf(any));
    }
    for (var c : rule.when()) {
      var p = condition(c);
      if (p != null) {
        parts.add(p);
      }
    }
    return allOf(parts);
  }

  private Predicate<EvalContext> source(Source s) throws Dropped {
    var parts = new ArrayList<Predicate<EvalContext>>();
    add(parts, field(false, "principals", s.principals(), s.notPrincipals(), v -> str(v, EvalContext::principal)));
    add(parts, field(true, "requestPrincipals", s.requestPrincipals(), s.notRequestPrincipals(), v -> str(v, c -> jwtPrincipal(c))));
    add(parts, field(false, "namespaces", s.namespaces(), s.notNamespaces(), v -> str(v, EvalContext::namespace)));
    add(parts, field(false, "serviceAccounts", s.serviceAccounts(), s.notServiceAccounts(), this::serviceAccount));
    add(parts, field(false, "trustDomains", s.trustDomains(), s.notTrustDomains(), v -> str(v, EvalContext::trustDomain)));
    add(parts, field(false, "ipBlocks", s.ipBlocks(), s.notIpBlocks(), v -> ip(v, c -> c.req().sourceIp())));
    add(parts, field(false, "remoteIpBlocks", s.remoteIpBlocks(), s.notRemoteIpBlocks(), v -> ip(v, c -> c.req().effectiveRemoteIp())));
    return allOf(parts);
  }

  private Predicate<EvalContext> operation(Operation o) throws Dropped {
    var parts = new ArrayList<Predicate<EvalContext>>();
    add(parts, field(true, "hosts", o.hosts(), o.notHosts(), v -> {
      var m = Matchers.host(v);
      return c -> m.test(c.req().host());
    }));
    add(parts, field(false, "ports", o.ports(), o.notPorts(), this::port));
    add(parts, field(true, "methods", o.methods(), o.notMethods(), v -> str(v, c -> c.req().method())));
    add(parts, field(true, "paths", o.paths(), o.notPaths(), v -> {
      var m = Matchers.path(v);
      return c -> m.test(c.path());
    }));
    return allOf(parts);
  }

  private Predicate<EvalContext> condition(Condition c) throws Dropped {
    var key = c.key();
    boolean http = key.startsWith("request.");
    Function<String, Predicate<EvalContext>> m;
    if (key.startsWith("request.headers[") && key.endsWith("]")) {
      var name = key.substring("request.headers[".length(), key.length() - 1);
      m = v -> str(v, ctx -> ctx.req().header(name));
    } else if (key.startsWith("request.auth.claims[") && key.endsWith("]")) {
      var path = claimPath(key.substring("request.auth.claims".length()));
      m = v -> {
        var sm = Matchers.string(v, false);
        return ctx -> claimValues(ctx, path).stream().anyMatch(sm);
      };
    } else {
      m = switch (key) {
        case "source.ip" -> v -> ip(v, ctx -> ctx.req().sourceIp());
        case "remote.ip" -> v -> ip(v, ctx -> ctx.req().effectiveRemoteIp());
        case "destination.ip" -> v -> ip(v, ctx -> ctx.req().destinationIp());
        case "destination.port" -> this::port;
        case "source.namespace" -> v -> str(v, EvalContext::namespace);
        case "source.principal" -> v -> str(v, EvalContext::principal);
        case "source.trustDomain" -> v -> str(v, EvalContext::trustDomain);
        case "source.serviceAccount" -> this::serviceAccount;
        case "connection.sni" -> v -> str(v, ctx -> ctx.req().sni());
        case "request.auth.principal" -> v -> str(v, RuleCompiler::jwtPrincipal);
        case "request.auth.presenter" -> v -> str(v, ctx -> ctx.req().jwt() == null ? null : ctx.req().jwt().presenter());
        case "request.auth.audiences" -> v -> {
          var sm = Matchers.string(v, false);
          return ctx -> ctx.req().jwt() != null && ctx.req().jwt().audiences().stream().anyMatch(sm);
        };
        default -> null;
      };
    }
    if (m == null) {
      // Keys Istio accepts but Meshwork cannot evaluate (experimental Envoy metadata): fail safe in both directions.
      warnings.add("when key " + key + " is not supported; " + (action == Action.ALLOW ? "the ALLOW rule never matches" : "the condition is ignored"));
      if (action == Action.ALLOW) {
        throw new Dropped(key + " is not supported");
      }
      return null;
    }
    return field(http, "when " + key, c.values(), c.notValues(), m);
  }

  /**
   * One field: OR of its values AND NOT OR of its not-values; null when it constrains nothing
   * (empty, or an HTTP-only field ignored on TCP by a non-ALLOW policy).
   */
  private Predicate<EvalContext> field(boolean httpOnly, String name, List<String> values, List<String> notValues,
      Function<String, Predicate<EvalContext>> matcher) throws Dropped {
    if (values.isEmpty() && notValues.isEmpty()) {
      return null;
    }
    if (tcp && httpOnly) {
      if (action == Action.ALLOW) {
        throw new Dropped(name + " is HTTP only");
      }
      return null;
    }
    var parts = new ArrayList<Predicate<EvalContext>>();
    if (!values.isEmpty()) {
      parts.add(anyOf(values.stream().map(matcher).toList()));
    }
    if (!notValues.isEmpty()) {
      parts.add(anyOf(notValues.stream().map(matcher).toList()).negate());
    }
    return allOf(parts);
  }

  private Predicate<EvalContext> serviceAccount(String v) {
    var full = v.contains("/") ? v : policyNamespace + "/" + v;
    return c -> full.equals(c.serviceAccount());
  }

  private Predicate<EvalContext> port(String v) {
    int port = Integer.parseInt(v);
    return c -> c.req().destinationPort() == port;
  }

  private static Predicate<EvalContext> str(String pattern, Function<EvalContext, String> attr) {
    var m = Matchers.string(pattern, false);
    return c -> m.test(attr.apply(c));
  }

  private static Predicate<EvalContext> ip(String pattern, Function<EvalContext, java.net.InetAddress> attr) {
    var m = Matchers.ip(pattern);
    return c -> m.test(attr.apply(c));
  }

  private static String jwtPrincipal(EvalContext c) {
    return c.req().jwt() == null ? null : c.req().jwt().principal();
  }

  /** {@code [a][b]} to {@code [a, b]}; {@code [a.b]} stays one name, as Istio reads it. */
  private static List<String> claimPath(String brackets) {
    var out = new ArrayList<String>();
    int i = 0;
    while (i < brackets.length() && brackets.charAt(i) == '[') {
      int close = brackets.indexOf(']', i);
      if (close < 0) {
        break;
      }
      out.add(brackets.substring(i + 1, close));
      i = close + 1;
    }
    return out;
  }

  /** The string values of a claim: a string, each string of a list, or the text of a number or boolean. */
  private static List<String> claimValues(EvalContext c, List<String> path) {
    if (c.req().jwt() == null) {
      return List.of();
    }
    Object v = c.req().jwt().claims();
    for (var name : path) {
      if (!(v instanceof Map<?, ?> map)) {
        return List.of();
      }
      v = map.get(name);
    }
    if (v instanceof List<?> list) {
      return list.stream().filter(x -> x instanceof String || x instanceof Number || x instanceof Boolean).map(String::valueOf).toList();
    }
    if (v instanceof String || v instanceof Number || v instanceof Boolean) {
      return List.of(String.valueOf(v));
    }
    return List.of();
  }

  private static void add(List<Predicate<EvalContext>> parts, Predicate<EvalContext> p) {
    if (p != null) {
      parts.add(p);
    }
  }

  private static Predicate<EvalContext> allOf(List<Predicate<EvalContext>> ps) {
    var arr = List.copyOf(ps);
    return switch (arr.size()) {
      case 0 -> c -> true;
      case 1 -> arr.getFirst();
      default -> c -> {
        for (var p : arr) {
          if (!p.test(c)) {
            return false;
          }
        }
        return true;
      };
    };
  }

  private static Predicate<EvalContext> anyOf(List<Predicate<EvalContext>> ps) {
    var arr = List.copyOf(ps);
    return arr.size() == 1 ? arr.getFirst() : c -> {
      for (var p : arr) {
        if (p.test(c)) {
          return true;
        }
      }
      return false;
    };
  }
}
