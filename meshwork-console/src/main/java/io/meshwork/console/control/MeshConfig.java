package io.meshwork.console.control;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshwork.config.ResourceKey;
import io.meshwork.config.analysis.Analysis;
import io.meshwork.config.analysis.Finding;
import io.meshwork.config.codec.ConfigLoader;
import io.meshwork.config.codec.LoadedDocument;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One read of the control plane: its stored resources (as served, and typed for the analyzer),
 * the analyzer's findings over them, the registry and the connected proxies. Immutable; the
 * console re-reads at most once a second ({@link MeshConfigSource}).
 *
 * @param revision the store revision the config was read at
 * @param resources every resource, JSON as the control plane serves it, by key
 * @param findings {@link Analysis#run} over the same documents
 * @param registry {@code /debug/registryz}: services and workloads
 * @param proxies {@code /debug/targets}: connected proxies
 */
public record MeshConfig(long revision, Map<ResourceKey, ObjectNode> resources, List<Finding> findings, JsonNode registry, JsonNode proxies) {

  /** Reads everything from the control plane now. */
  public static MeshConfig read(ControlPlaneClient client) throws IOException {
    var text = client.getText("/debug/configz");
    var list = ConfigLoader.JSON.readTree(text);
    var docs = ConfigLoader.create().loadText("control-plane", text);
    return of(list.path("metadata").path("resourceVersion").asLong(0), docs, client.getJson("/debug/registryz"),
        client.getJson("/debug/targets"));
  }

  /** From loaded documents (tests and previews use this without a control plane). */
  public static MeshConfig of(long revision, List<LoadedDocument> docs, JsonNode registry, JsonNode proxies) {
    var resources = new LinkedHashMap<ResourceKey, ObjectNode>();
    for (var d : docs) {
      if (d.valid()) {
        resources.put(d.resource().key(), d.resource().toJson());
      }
    }
    return new MeshConfig(revision, resources, Analysis.run(docs), registry, proxies);
  }

  /** Resources of one kind ({@code VirtualService}), in store order. */
  public List<ObjectNode> ofKind(String kind) {
    var out = new ArrayList<ObjectNode>();
    resources.forEach((k, v) -> {
      if (k.kind().equals(kind)) {
        out.add(v);
      }
    });
    return out;
  }

  /** Findings about one resource. */
  public List<Finding> findingsOf(ResourceKey key) {
    return findings.stream().filter(f -> f.resource().equals(key)).toList();
  }

  /**
   * Whether a workload (by name and namespace) has a connected proxy: the proxy's workload name,
   * or the WorkloadEntry the control plane auto-registered for it ({@code NAME-IP}, dots and colons of the IP as dashes).
   */
  public boolean hasProxy(String namespace, String workload) {
    for (var p : proxies) {
      var ips = new ArrayList<String>();
      p.path("ips").forEach(i -> ips.add(i.asText()));
      if (p.path("namespace").asText().equals(namespace) && isProxyWorkload(workload, p.path("workload").asText(), ips)) {
        return true;
      }
    }
    return false;
  }

  /** {@code name} is the proxy's workload or its auto-registered entry {@code WORKLOAD-IP}. */
  static boolean isProxyWorkload(String name, String proxyWorkload, List<String> ips) {
    if (proxyWorkload.isEmpty()) {
      return false;
    }
    if (name.equals(proxyWorkload)) {
      return true;
    }
    for (var ip : ips) {
      // The control plane's AutoRegistration spells the address with dashes and lower case.
      var registered = (proxyWorkload + "-" + ip.replace('.', '-').replace(':', '-')).toLowerCase(java.util.Locale.ROOT);
      if (name.equals(registered)) {
        return true;
      }
    }
    return false;
  }

  /** Whether some connected proxy in the namespace carries {@code app=APP} (and {@code version} if not null). */
  public boolean hasProxyForApp(String namespace, String app, String version) {
    for (var p : proxies) {
      var labels = p.path("labels");
      if (p.path("namespace").asText().equals(namespace) && labels.path("app").asText().equals(app)
          && (version == null || labels.path("version").asText().equals(version))) {
        return true;
      }
    }
    return false;
  }
}
