package io.meshwork.kubernetes.inject;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshwork.config.codec.ConfigLoader;

/**
 * Istio's app-prober pattern. Once inbound traffic is captured and mTLS may be required, the
 * kubelet's plain HTTP probes cannot reach the app directly; so each HTTP probe is rewritten to
 * {@code GET :15021/app-health/CONTAINER/{livez,readyz,startupz}} on the proxy's health port, and the
 * original probe (path, numeric port, scheme, headers, timeout) is handed to the proxy in the
 * {@code ISTIO_KUBE_APP_PROBERS} environment variable, a JSON object keyed by the new path (the
 * {@code AppProber} in the sidecar serves it). TCP, gRPC and exec probes are left alone. Opt out
 * with the annotation {@code sidecar.istio.io/rewriteAppHTTPProbers: "false"}.
 */
final class ProbeRewriter {
  static final String ANNOTATION = "sidecar.istio.io/rewriteAppHTTPProbers";
  static final String ENV = "ISTIO_KUBE_APP_PROBERS";
  static final int HEALTH_PORT = 15021;

  private ProbeRewriter() {}

  /** Rewrites the probes of the app containers in place; returns the prober table (empty when none). */
  static ObjectNode rewrite(ObjectNode pod) {
    var probers = ConfigLoader.JSON.createObjectNode();
    if ("false".equals(pod.path("metadata").path("annotations").path(ANNOTATION).asText())) {
      return probers;
    }
    for (var c : pod.path("spec").path("containers")) {
      var name = c.path("name").asText();
      rewrite((ObjectNode) c, "readinessProbe", "/app-health/" + name + "/readyz", probers);
      rewrite((ObjectNode) c, "livenessProbe", "/app-health/" + name + "/livez", probers);
      rewrite((ObjectNode) c, "startupProbe", "/app-health/" + name + "/startupz", probers);
    }
    return probers;
  }

  private static void rewrite(ObjectNode container, String field, String path, ObjectNode probers) {
    var probe = container.get(field);
    if (probe == null || !probe.has("httpGet")) {
      return;
    }
    var get = (ObjectNode) probe.get("httpGet");
    if (get.path("port").asInt(-1) == HEALTH_PORT && get.path("path").asText().startsWith("/app-health/")) {
      return; // already rewritten
    }
    var original = get.deepCopy();
    original.put("port", resolvePort(container, get.get("port")));
    original.remove("host"); // the prober always calls the app on the pod's loopback
    var entry = probers.putObject(path);
    entry.set("httpGet", original);
    if (probe.has("timeoutSeconds")) {
      entry.set("timeoutSeconds", probe.get("timeoutSeconds"));
    }
    var rewritten = ConfigLoader.JSON.createObjectNode();
    rewritten.put("path", path);
    rewritten.put("port", HEALTH_PORT);
    rewritten.put("scheme", "HTTP");
    ((ObjectNode) probe).set("httpGet", rewritten);
  }

  /** A probe port given by name is looked up among the container's ports. */
  private static int resolvePort(JsonNode container, JsonNode port) {
    if (port == null) {
      return 80;
    }
    if (port.isInt()) {
      return port.asInt();
    }
    var name = port.asText();
    if (name.matches("\\d+")) {
      return Integer.parseInt(name);
    }
    for (var p : container.path("ports")) {
      if (name.equals(p.path("name").asText())) {
        return p.path("containerPort").asInt();
      }
    }
    throw new IllegalArgumentException("container " + container.path("name").asText() + ": probe port \"" + name
        + "\" names no port of the container; name one of its ports or give a number");
  }
}
