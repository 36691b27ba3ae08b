package io.meshwork.security.authz;

import io.meshwork.config.security.AuthorizationPolicy.Action;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * The policies that apply to one workload (and port), compiled into an immutable evaluator. The
 * caller picks the policies (selector, targetRefs, root-namespace policies); the engine applies
 * Istio's order:
 *
 * <ol>
 *   <li>a matching CUSTOM policy denies (external authorizers are not supported yet: fail closed);
 *   <li>a matching DENY policy denies;
 *   <li>no ALLOW policy: allow;
 *   <li>a matching ALLOW policy allows;
 *   <li>otherwise deny.
 * </ol>
 *
 * AUDIT policies never change the decision; the first that matches is reported. Thread-safe and
 * allocation-light: compile once per configuration change, evaluate per request or connection.
 */
public final class AuthorizationEngine {
  private final List<Compiled> custom;
  private final List<Compiled> deny;
  private final List<Compiled> allow;
  private final List<Compiled> audit;
  private final PathNormalization normalization;
  private final List<String> warnings;

  private record CompiledRule(int index, Predicate<EvalContext> http, Predicate<EvalContext> tcp) {}

  private record Compiled(String id, List<CompiledRule> rules) {
    /** The index of the first matching rule, or -1. */
    int match(EvalContext c, boolean tcp) {
      for (var r : rules) {
        var p = tcp ? r.tcp() : r.http();
        if (p != null && p.test(c)) {
          return r.index();
        }
      }
      return -1;
    }
  }

  private AuthorizationEngine(List<Compiled> custom, List<Compiled> deny, List<Compiled> allow, List<Compiled> audit,
      PathNormalization normalization, List<String> warnings) {
    this.custom = custom;
    this.deny = deny;
    this.allow = allow;
    this.audit = audit;
    this.normalization = normalization;
    this.warnings = List.copyOf(warnings);
  }

  /** Compiles with Meshwork's default path normalization ({@link PathNormalization#MERGE_SLASHES}). */
  public static AuthorizationEngine compile(List<PolicySource> policies) {
    return compile(policies, PathNormalization.MERGE_SLASHES);
  }

  /** Compiles {@code policies}, which must already be scoped to the workload being protected. */
  public static AuthorizationEngine compile(List<PolicySource> policies, PathNormalization normalization) {
    var custom = new ArrayList<Compiled>();
    var deny = new ArrayList<Compiled>();
    var allow = new ArrayList<Compiled>();
    var audit = new ArrayList<Compiled>();
    var warnings = new ArrayList<String>();
    for (var src : policies) {
      var action = src.policy().effectiveAction();
      var rules = new ArrayList<CompiledRule>();
      var ruleList = src.policy().rules();
      for (int i = 0; i < ruleList.size(); i++) {
        var rule = ruleList.get(i);
        var w = new ArrayList<String>();
        Predicate<EvalContext> http = compileOne(new RuleCompiler(false, action, src.namespace(), w), rule);
        Predicate<EvalContext> tcp = compileOne(new RuleCompiler(true, action, src.namespace(), new ArrayList<>()), rule);
        for (var s : w) {
          warnings.add(src.id() + " rule " + i + ": " + s);
        }
        rules.add(new CompiledRule(i, http, tcp));
      }
      var compiled = new Compiled(src.id(), List.copyOf(rules));
      switch (action) {
        case CUSTOM -> custom.add(compiled);
        case DENY -> deny.add(compiled);
        case AUDIT -> audit.add(compiled);
        case ALLOW -> allow.add(compiled);
      }
    }
    if (!custom.isEmpty()) {
      warnings.add("CUSTOM policies are not supported yet: a request that matches one is denied");
    }
    return new AuthorizationEngine(List.copyOf(custom), List.copyOf(deny), List.copyOf(allow), List.copyOf(audit), normalization, warnings);
  }

  private static Predicate<EvalContext> compileOne(RuleCompiler c, io.meshwork.config.security.Rule rule) {
    try {
      return c.compile(rule);
    } catch (RuleCompiler.Dropped e) {
      return null;
    }
  }

  /** What compilation could not honour exactly (unsupported keys, CUSTOM policies). */
  public List<String> warnings() {
    return warnings;
  }

  /** The path normalization requests are judged with (the proxy must forward the same path). */
  public PathNormalization normalization() {
    return normalization;
  }

  /** Whether any policy applies at all (the proxy can skip the filter when none does). */
  public boolean isEmpty() {
    return custom.isEmpty() && deny.isEmpty() && allow.isEmpty() && audit.isEmpty();
  }

  /** Decides one HTTP request or TCP connection. */
  public Decision evaluate(RequestAttributes req) {
    boolean tcp = req.protocol() == RequestAttributes.Protocol.TCP;
    String path = null;
    if (!tcp && req.path() != null) {
      path = PathNormalizer.normalize(req.path(), normalization);
      if (path == null) {
        return new Decision(false, Decision.Reason.INVALID_PATH, null, -1, null);
      }
    }
    var ctx = EvalContext.of(req, path);
    String audited = null;
    for (var p : audit) {
      if (p.match(ctx, tcp) >= 0) {
        audited = p.id();
        break;
      }
    }
    for (var p : custom) {
      int r = p.match(ctx, tcp);
      if (r >= 0) {
        return new Decision(false, Decision.Reason.CUSTOM_UNSUPPORTED, p.id(), r, audited);
      }
    }
    for (var p : deny) {
      int r = p.match(ctx, tcp);
      if (r >= 0) {
        return new Decision(false, Decision.Reason.DENY_MATCHED, p.id(), r, audited);
      }
    }
    if (allow.isEmpty()) {
      return new Decision(true, Decision.Reason.NO_ALLOW_POLICY, null, -1, audited);
    }
    for (var p : allow) {
      int r = p.match(ctx, tcp);
      if (r >= 0) {
        return new Decision(true, Decision.Reason.ALLOW_MATCHED, p.id(), r, audited);
      }
    }
    return new Decision(false, Decision.Reason.NO_ALLOW_MATCHED, null, -1, audited);
  }
}
