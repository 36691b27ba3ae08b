package io.meshwork.kubernetes.inject;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;

/**
 * Istio's injection rules, in Istio's order: a pod's {@code sidecar.istio.io/inject} label, then the
 * annotation of the same name, decide when set ({@code "true"}/{@code "false"}); otherwise the
 * namespace label {@code istio-injection} ({@code enabled}/{@code disabled}), then
 * {@code meshwork-injection}. Pods on the host network are never injected (their traffic cannot be
 * captured without capturing the node's), nor are pods already injected.
 */
public final class InjectionPolicy {
  public static final String INJECT = "sidecar.istio.io/inject";
  public static final String STATUS = "sidecar.istio.io/status";

  private InjectionPolicy() {}

  /** Whether to inject, and why (logged by the webhook). */
  public record Decision(boolean inject, String reason) {}

  public static Decision decide(JsonNode pod, Map<String, String> namespaceLabels) {
    var md = pod.path("metadata");
    if (pod.path("spec").path("hostNetwork").asBoolean(false)) {
      return new Decision(false, "the pod uses the host network");
    }
    if (SidecarInjector.alreadyInjected(pod)) {
      return new Decision(false, "the pod is already injected");
    }
    var explicit = md.path("labels").path(INJECT);
    if (!explicit.isTextual()) {
      explicit = md.path("annotations").path(INJECT);
    }
    if (explicit.isTextual()) {
      var v = explicit.asText().strip().toLowerCase(java.util.Locale.ROOT);
      if (v.equals("true") || v.equals("y") || v.equals("yes") || v.equals("on")) {
        return new Decision(true, INJECT + "=" + v);
      }
      if (v.equals("false") || v.equals("n") || v.equals("no") || v.equals("off")) {
        return new Decision(false, INJECT + "=" + v);
      }
    }
    var istio = namespaceLabels.get("istio-injection");
    if (istio != null) {
      return new Decision(istio.equals("enabled"), "namespace label istio-injection=" + istio);
    }
    var meshwork = namespaceLabels.get("meshwork-injection");
    if (meshwork != null) {
      return new Decision(meshwork.equals("enabled"), "namespace label meshwork-injection=" + meshwork);
    }
    return new Decision(false, "neither the pod nor its namespace asks for injection");
  }
}
