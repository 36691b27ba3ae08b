package io.meshwork.console.control;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshwork.config.ResourceKey;
import io.meshwork.config.analysis.Finding;
import io.meshwork.config.analysis.Severity;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The analyzer's findings in Kiali's validation shapes: per namespace
 * {@code {cluster, namespace, objectCount, errors, warnings}} ({@code GET /api/istio/validations}),
 * and per object {@code {name, namespace, objectGVK:{Group, Version, Kind}, valid, checks:[{code,
 * message, path, severity}]}} with Kiali's slash paths ({@code spec/http[0]/route[1]}). Codes stay
 * Meshwork's ({@code MW0101}, see the config module's ANALYSIS.md); Kiali's UI shows any code.
 */
public final class Validations {
  static final String CLUSTER = "Kubernetes";

  private Validations() {}

  /** One summary per namespace that has config (or that was asked for), sorted by name. */
  public static List<Map<String, Object>> summary(MeshConfig config, List<String> namespaces) {
    var byNs = new TreeMap<String, int[]>();
    namespaces.forEach(ns -> byNs.put(ns, new int[3]));
    config.resources().keySet().forEach(k -> {
      if (namespaces.isEmpty() || namespaces.contains(k.namespace())) {
        byNs.computeIfAbsent(k.namespace(), n -> new int[3])[0]++;
      }
    });
    for (var f : config.findings()) {
      var c = byNs.get(f.resource().namespace());
      if (c == null) {
        continue;
      }
      if (f.severity() == Severity.ERROR) {
        c[1]++;
      } else if (f.severity() == Severity.WARNING) {
        c[2]++;
      }
    }
    var out = new ArrayList<Map<String, Object>>();
    byNs.forEach((ns, c) -> {
      var m = new LinkedHashMap<String, Object>();
      m.put("cluster", CLUSTER);
      m.put("namespace", ns);
      m.put("objectCount", c[0]);
      m.put("errors", c[1]);
      m.put("warnings", c[2]);
      out.add(m);
    });
    return out;
  }

  /** Kiali's {@code ObjectValidation} for one resource. */
  public static Map<String, Object> object(ResourceKey key, String apiVersion, List<Finding> findings) {
    var m = new LinkedHashMap<String, Object>();
    m.put("name", key.name());
    m.put("namespace", key.namespace());
    int slash = apiVersion.indexOf('/');
    m.put("objectGVK", Map.of("Group", key.group(), "Version", slash < 0 ? apiVersion : apiVersion.substring(slash + 1), "Kind", key.kind()));
    var checks = new ArrayList<Map<String, Object>>();
    boolean valid = true;
    for (var f : findings) {
      checks.add(Map.of("code", f.code().id(), "message", f.message(), "path", kialiPath(f.path()), "severity", f.severity().label(),
          "title", f.code().title()));
      valid &= f.severity() != Severity.ERROR;
    }
    m.put("valid", valid);
    m.put("checks", checks);
    return m;
  }

  /** Every resource with its validation, optionally limited to some namespaces. */
  public static List<Map<String, Object>> objects(MeshConfig config, List<String> namespaces) {
    var out = new ArrayList<Map<String, Object>>();
    config.resources().forEach((k, r) -> {
      if (namespaces.isEmpty() || namespaces.contains(k.namespace())) {
        out.add(item(k, r, config.findingsOf(k)));
      }
    });
    return out;
  }

  static Map<String, Object> item(ResourceKey k, ObjectNode r, List<Finding> findings) {
    var m = new LinkedHashMap<String, Object>();
    m.put("kind", k.kind());
    m.put("group", k.group());
    m.put("namespace", k.namespace());
    m.put("name", k.name());
    m.put("resource", r);
    m.put("yaml", yaml(r));
    m.put("validation", object(k, r.path("apiVersion").asText(""), findings));
    return m;
  }

  /** {@code spec.http[0].route[1].destination.host} → {@code spec/http[0]/route[1]/destination/host}. */
  static String kialiPath(String path) {
    return path.replace('.', '/');
  }

  /** The field path at the start of a validation error ({@code spec.hosts: Required value}), or empty. */
  static String errorPath(String error) {
    int colon = error.indexOf(": ");
    if (colon <= 0) {
      return "";
    }
    var head = error.substring(0, colon);
    return head.contains(" ") ? "" : head;
  }

  /** The resource as YAML for the editor, without the store's bookkeeping fields. */
  static String yaml(ObjectNode r) {
    var copy = r.deepCopy();
    if (copy.path("metadata") instanceof ObjectNode md) {
      md.remove(List.of("resourceVersion", "uid", "creationTimestamp", "generation", "managedFields"));
    }
    try {
      return io.meshwork.config.codec.ConfigLoader.YAML.writeValueAsString(copy);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      return copy.toPrettyString();
    }
  }
}
