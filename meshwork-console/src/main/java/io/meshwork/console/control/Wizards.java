package io.meshwork.console.control;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshwork.config.ResourceKey;
import io.meshwork.config.codec.ConfigLoader;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * The two config wizards, as Kiali's: <b>traffic shifting</b> (weights per version become a
 * DestinationRule with one subset per version and a VirtualService splitting the catch-all route by
 * weight; subsets the rule already has are kept) and <b>fault injection and timeouts</b> (delay/abort percentages, a route timeout and
 * retries set on every HTTP route of the service's VirtualService, or on a new one). Both answer
 * YAML for the preview; the same YAML is what gets applied, in one atomic batch. An existing
 * DestinationRule keeps its traffic policy; an existing VirtualService keeps its other fields.
 */
public final class Wizards {
  static final String LABEL = "meshwork.io/wizard";

  private Wizards() {}

  /**
   * @param weights version → weight (percent, summing to 100); versions with weight 0 keep their
   *     subset but get no route
   */
  public static String trafficShifting(MeshConfig config, String ns, String service, String versionLabel, Map<String, Integer> weights) {
    if (weights.isEmpty()) {
      throw new IllegalArgumentException("weights: give at least one version with a weight, e.g. {\"v1\": 80, \"v2\": 20}");
    }
    int sum = weights.values().stream().mapToInt(Integer::intValue).sum();
    if (sum != 100 || weights.values().stream().anyMatch(w -> w < 0)) {
      throw new IllegalArgumentException("weights: each must be 0 to 100 and they must add up to 100 (they add up to " + sum + ")");
    }
    var dr = existing(config, "DestinationRule", ns, service, "networking.istio.io/v1");
    var spec = (ObjectNode) dr.path("spec");
    spec.put("host", service);
    // Existing subsets stay (a route of the current config may still name them until the new
    // VirtualService arrives); the weighted versions are added or replaced.
    var kept = new java.util.ArrayList<JsonNode>();
    spec.path("subsets").forEach(sub -> {
      if (!weights.containsKey(sub.path("name").asText())) {
        kept.add(sub);
      }
    });
    ArrayNode subsets = spec.putArray("subsets");
    kept.forEach(subsets::add);
    weights.keySet().forEach(v -> subsets.addObject().put("name", v).putObject("labels").put(versionLabel, v));
    var vs = existing(config, "VirtualService", ns, service, "networking.istio.io/v1");
    var vspec = (ObjectNode) vs.path("spec");
    if (!vspec.has("hosts")) {
      vspec.putArray("hosts").add(service);
    }
    var route = vspec.putArray("http").addObject().putArray("route");
    weights.forEach((v, w) -> {
      if (w > 0) {
        var r = route.addObject();
        r.putObject("destination").put("host", service).put("subset", v);
        r.put("weight", w);
      }
    });
    label(dr, "traffic-shifting");
    label(vs, "traffic-shifting");
    return yaml(dr) + "---\n" + yaml(vs);
  }

  /** What the fault-injection and timeouts wizard sets; null fields are left out. */
  public record Faults(Double delayPercent, String fixedDelay, Double abortPercent, Integer httpStatus, String timeout,
      Integer retryAttempts, String perTryTimeout) {}

  public static String faultInjection(MeshConfig config, String ns, String service, Faults f) {
    if ((f.delayPercent() != null) != (f.fixedDelay() != null && !f.fixedDelay().isBlank())) {
      throw new IllegalArgumentException("delay: give both a percentage and a fixed delay (e.g. 50 and 2s), or neither");
    }
    if ((f.abortPercent() != null) != (f.httpStatus() != null)) {
      throw new IllegalArgumentException("abort: give both a percentage and an HTTP status (e.g. 10 and 503), or neither");
    }
    var vs = existing(config, "VirtualService", ns, service, "networking.istio.io/v1");
    var spec = (ObjectNode) vs.path("spec");
    if (!spec.has("hosts")) {
      spec.putArray("hosts").add(service);
    }
    if (!spec.has("http") || spec.path("http").isEmpty()) {
      spec.putArray("http").addObject().putArray("route").addObject().putObject("destination").put("host", service);
    }
    for (var http : spec.path("http")) {
      var h = (ObjectNode) http;
      h.remove(java.util.List.of("fault", "timeout", "retries"));
      if (f.delayPercent() != null || f.abortPercent() != null) {
        var fault = h.putObject("fault");
        if (f.delayPercent() != null) {
          var d = fault.putObject("delay");
          d.putObject("percentage").put("value", f.delayPercent());
          d.put("fixedDelay", f.fixedDelay());
        }
        if (f.abortPercent() != null) {
          var a = fault.putObject("abort");
          a.putObject("percentage").put("value", f.abortPercent());
          a.put("httpStatus", f.httpStatus());
        }
      }
      if (f.timeout() != null && !f.timeout().isBlank()) {
        h.put("timeout", f.timeout());
      }
      if (f.retryAttempts() != null) {
        var r = h.putObject("retries").put("attempts", f.retryAttempts());
        if (f.perTryTimeout() != null && !f.perTryTimeout().isBlank()) {
          r.put("perTryTimeout", f.perTryTimeout());
        }
      }
    }
    label(vs, "fault-injection");
    return yaml(vs);
  }

  /** The stored resource (copied, server-managed metadata dropped), or a new one. */
  private static ObjectNode existing(MeshConfig config, String kind, String ns, String name, String apiVersion) {
    var stored = config == null ? null : config.resources().get(new ResourceKey("networking.istio.io", kind, ns, name));
    ObjectNode out;
    if (stored != null) {
      out = stored.deepCopy();
      var md = (ObjectNode) out.path("metadata");
      md.remove(java.util.List.of("resourceVersion", "uid", "creationTimestamp", "generation", "managedFields"));
    } else {
      out = ConfigLoader.JSON.createObjectNode();
      out.put("apiVersion", apiVersion);
      out.put("kind", kind);
      out.putObject("metadata").put("name", name).put("namespace", ns);
    }
    if (!out.has("spec")) {
      out.putObject("spec");
    }
    return out;
  }

  private static void label(ObjectNode r, String wizard) {
    var md = (ObjectNode) r.path("metadata");
    JsonNode labels = md.path("labels");
    (labels.isObject() ? (ObjectNode) labels : md.putObject("labels")).put(LABEL, wizard);
  }

  private static String yaml(ObjectNode r) {
    try {
      return ConfigLoader.YAML.writeValueAsString(r);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }
}
