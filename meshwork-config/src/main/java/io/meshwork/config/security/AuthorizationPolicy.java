package io.meshwork.config.security;

import io.meshwork.config.types.WorkloadSelector;
import io.meshwork.config.schema.Constraints.MaxItems;
import io.meshwork.config.schema.Validatable;
import io.meshwork.config.schema.Validation;
import java.util.List;

/**
 * security.istio.io AuthorizationPolicy: allows, denies, audits or delegates (CUSTOM, to an
 * external authorizer named by {@code provider}) requests to the selected workloads. With no
 * rules, ALLOW matches nothing (so it denies everything) while DENY and CUSTOM would never fire,
 * which istiod rejects.
 *
 * @param selector workloads by label (at most one of selector, targetRef, targetRefs)
 * @param targetRef deprecated single form of targetRefs
 * @param targetRefs the Services, ServiceEntries or Gateways the policy attaches to
 * @param rules a request matches the policy when it matches any rule
 * @param action what to do on a match; ALLOW when absent
 * @param provider the extension provider for the CUSTOM action
 */
public record AuthorizationPolicy(
    WorkloadSelector selector,
    PolicyTargetReference targetRef,
    @MaxItems(16) List<PolicyTargetReference> targetRefs,
    @MaxItems(512) List<Rule> rules,
    Action action,
    ExtensionProvider provider) implements Validatable {

  /** What a matching policy does. */
  public enum Action {
    ALLOW,
    DENY,
    AUDIT,
    CUSTOM
  }

  /** The external authorizer (a meshConfig extensionProvider) of a CUSTOM policy. */
  public record ExtensionProvider(String name) {}

  /** The action, ALLOW when the policy names none. */
  public Action effectiveAction() {
    return action == null ? Action.ALLOW : action;
  }

  @Override
  public void validate(Validation v) {
    PolicyTargets.check(v, selector, targetRef, targetRefs);
    var act = effectiveAction();
    if (act == Action.CUSTOM) {
      if (rules.isEmpty()) {
        v.invalid(v.at("rules"), "", "a CUSTOM policy without rules never triggers; add an empty rule {} to apply it to every request");
      } else if (provider == null || provider.name() == null || provider.name().isEmpty()) {
        v.required(v.at("provider").child("name"), "a CUSTOM policy must name its extension provider");
      }
      checkCustomRules(v);
    } else if (provider != null) {
      v.forbidden(v.at("provider"), "provider can only be used with action CUSTOM, not " + act);
    }
    if (act == Action.ALLOW && rules.isEmpty()) {
      v.warn(v.at("rules"), "an ALLOW policy without rules matches nothing, so it denies every request to the workloads it applies to");
    }
    if (act == Action.DENY && rules.isEmpty()) {
      v.invalid(v.at("rules"), "", "a DENY policy without rules never triggers; add an empty rule {} to deny every request");
    }
    for (int i = 0; i < rules.size(); i++) {
      if (act == Action.DENY && rules.get(i).onlyHttpAttributes()) {
        v.warn(v.at("rules").index(i), "this DENY rule uses only HTTP attributes, so it denies all traffic to TCP ports in its scope;"
            + " name the ports explicitly");
      }
    }
  }

  /** Istio's CUSTOM action cannot match on identities (the external authorizer sees the request instead). */
  private void checkCustomRules(Validation v) {
    for (int i = 0; i < rules.size(); i++) {
      var rulePath = v.at("rules").index(i);
      var rule = rules.get(i);
      for (int j = 0; j < rule.from().size(); j++) {
        var src = rule.from().get(j).source();
        if (src == null) {
          continue;
        }
        var p = rulePath.child("from").index(j).child("source");
        forbidIfSet(v, p, "namespaces", src.namespaces());
        forbidIfSet(v, p, "notNamespaces", src.notNamespaces());
        forbidIfSet(v, p, "serviceAccounts", src.serviceAccounts());
        forbidIfSet(v, p, "notServiceAccounts", src.notServiceAccounts());
        forbidIfSet(v, p, "principals", src.principals());
        forbidIfSet(v, p, "notPrincipals", src.notPrincipals());
        forbidIfSet(v, p, "requestPrincipals", src.requestPrincipals());
        forbidIfSet(v, p, "notRequestPrincipals", src.notRequestPrincipals());
      }
      for (int j = 0; j < rule.when().size(); j++) {
        var key = rule.when().get(j).key();
        if (key.equals("source.namespace") || key.equals("source.serviceAccount") || key.equals("source.principal") || key.startsWith("request.auth.")) {
          v.forbidden(rulePath.child("when").index(j).child("key"), key + " is currently not supported with the CUSTOM action");
        }
      }
    }
  }

  private static void forbidIfSet(Validation v, io.meshwork.config.schema.FieldPath p, String field, List<String> values) {
    if (!values.isEmpty()) {
      v.forbidden(p.child(field), field + " is currently not supported with the CUSTOM action");
    }
  }
}
