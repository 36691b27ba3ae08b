package io.meshwork.config.security;

import io.meshwork.config.types.WorkloadSelector;
import io.meshwork.config.schema.FieldPath;
import io.meshwork.config.schema.Validation;
import java.util.List;
import java.util.Set;

/**
 * The rules every policy with {@code selector}, {@code targetRef} and {@code targetRefs} shares
 * (AuthorizationPolicy, RequestAuthentication, Telemetry): at most one of them, same-namespace
 * references only, and only the kinds Istio can attach policies to. Checked at the spec level so
 * that all of them are reported together, as the API server's CEL rules are.
 */
public final class PolicyTargets {
  /** {@code group/kind} pairs a policy may target (Istio's allowedTargetRefs). */
  static final Set<String> ALLOWED = Set.of(
      "core/Service", "networking.istio.io/ServiceEntry", "gateway.networking.k8s.io/Gateway", "gateway.networking.k8s.io/GatewayClass");

  private static final String SUPPORTED_KINDS =
      "Support kinds are core/Service, networking.istio.io/ServiceEntry, gateway.networking.k8s.io/Gateway and gateway.networking.k8s.io/GatewayClass";

  private PolicyTargets() {}

  /** Checks the selection fields of the spec {@code v} is positioned at. */
  public static void check(Validation v, WorkloadSelector selector, PolicyTargetReference targetRef, List<PolicyTargetReference> targetRefs) {
    int set = (selector != null ? 1 : 0) + (targetRef != null ? 1 : 0) + (targetRefs.isEmpty() ? 0 : 1);
    if (set > 1) {
      v.invalidObject("only one of targetRefs or selector can be set");
    }
    if (targetRef != null) {
      checkRef(v, v.at("targetRef"), targetRef);
    }
    for (int i = 0; i < targetRefs.size(); i++) {
      checkRef(v, v.at("targetRefs").index(i), targetRefs.get(i));
    }
  }

  private static void checkRef(Validation v, FieldPath path, PolicyTargetReference ref) {
    if (ref.namespace() != null && !ref.namespace().isEmpty()) {
      v.invalid(path.child("namespace"), ref.namespace(), "cross namespace referencing is not currently supported");
    }
    if (!ALLOWED.contains(ref.canonicalGroup() + "/" + ref.kind())) {
      v.invalid(path, new Object(), SUPPORTED_KINDS);
    }
  }
}
