package io.meshwork.proxy.config;

import java.util.List;

/**
 * An Envoy RBAC filter ({@code envoy.filters.http.rbac} in an HTTP connection manager,
 * {@code envoy.filters.network.rbac} before a TCP proxy), compiled. A policy matches when some
 * permission and some principal match. With {@code ALLOW} the request passes only if a policy
 * matches; with {@code DENY} it is refused if one matches; {@code LOG} never refuses and only marks
 * the request for logging (Istio's AUDIT). {@code rules == null} (no {@code rules} field) allows
 * everything; shadow rules are evaluated for the {@code shadow_*} counters only.
 *
 * @param statPrefix Envoy's {@code stat_prefix} of the filter (Istio's network filters use {@code tcp.})
 */
public record RbacConfig(Policies rules, Policies shadowRules, String statPrefix) implements HttpFilterConfig {
  /** Envoy's {@code config.rbac.v3.RBAC.Action}. */
  public enum Action { ALLOW, DENY, LOG }

  /** One named policy. */
  public record Policy(String name, List<RbacRule> permissions, List<RbacRule> principals) {
    boolean matches(RbacRequest r) {
      boolean perm = false;
      for (var p : permissions) {
        if (p.matches(r)) {
          perm = true;
          break;
        }
      }
      if (!perm) {
        return false;
      }
      for (var p : principals) {
        if (p.matches(r)) {
          return true;
        }
      }
      return false;
    }
  }

  /** A {@code config.rbac.v3.RBAC}: an action and its policies in order. */
  public record Policies(Action action, List<Policy> policies) {
    /** The first matching policy's name, or null. */
    public String firstMatch(RbacRequest r) {
      for (var p : policies) {
        if (p.matches(r)) {
          return p.name();
        }
      }
      return null;
    }

    /** What this set decides for {@code r}. */
    public Decision decide(RbacRequest r) {
      var match = firstMatch(r);
      return switch (action) {
        case ALLOW -> new Decision(match != null, match, false);
        case DENY -> new Decision(match == null, match, false);
        case LOG -> new Decision(true, match, match != null);
      };
    }
  }

  /**
   * The outcome of one filter.
   *
   * @param allowed whether the request may continue
   * @param policy the matching policy, null when none matched
   * @param log whether a LOG (AUDIT) policy matched: the request is to be logged
   */
  public record Decision(boolean allowed, String policy, boolean log) {}

  /** The enforced decision (allow when the filter has no {@code rules}). */
  public Decision decide(RbacRequest r) {
    return rules == null ? new Decision(true, null, false) : rules.decide(r);
  }
}
