package io.meshwork.kubernetes.inject;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshwork.config.codec.ConfigLoader;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Adds the mesh to a pod, as Istio's injector does:
 * <ul>
 *   <li>an init container {@value #INIT} running {@code meshwork iptables} (capture rules; root with
 *       NET_ADMIN/NET_RAW only, exits before the app starts), shaped by Istio's
 *       {@code traffic.sidecar.istio.io/*} annotations;
 *   <li>the proxy {@value #PROXY}: a native sidecar (an init container with {@code restartPolicy:
 *       Always} and a startup probe, so app init containers and containers start once it is ready)
 *       when the cluster supports it, else the first container with a {@code postStart} hook that
 *       blocks until the proxy is ready (the kubelet starts the next container only after it);
 *   <li>volumes: a projected ServiceAccount token for audience {@code istio-ca} (the CA's TokenReview),
 *       the mesh root from the ConfigMap the control plane keeps in every namespace (it verifies the
 *       CA before the token is sent), a scratch {@code /tmp}; the workload key and certificate never
 *       touch a file (the proxy's agent keeps them in memory). {@link ProxyEnv} names what the proxy reads;
 *   <li>HTTP probes rewritten through the proxy's health port ({@link ProbeRewriter});
 *   <li>labels {@code security.istio.io/tlsMode: istio} and the canonical service labels, and the
 *       {@code sidecar.istio.io/status} annotation that marks the pod as injected.
 * </ul>
 * A pod already injected is returned unchanged, so injecting twice changes nothing.
 */
public final class SidecarInjector {
  public static final String PROXY = "meshwork-proxy";
  public static final String INIT = "meshwork-init";
  static final String TOKEN_VOLUME = "meshwork-token";
  static final String ROOT_VOLUME = "meshwork-ca-root";
  static final String TMP_VOLUME = "meshwork-tmp";
  static final long PROXY_UID = 1337;

  private final InjectorConfig config;

  public SidecarInjector(InjectorConfig config) {
    this.config = config;
  }

  /** Whether the pod already carries a Meshwork (or Istio) sidecar. */
  public static boolean alreadyInjected(JsonNode pod) {
    if (pod.path("metadata").path("annotations").has(InjectionPolicy.STATUS)) {
      return true;
    }
    for (var list : List.of("containers", "initContainers")) {
      for (var c : pod.path("spec").path(list)) {
        var n = c.path("name").asText();
        if (n.equals(PROXY) || n.equals("istio-proxy")) {
          return true;
        }
      }
    }
    return false;
  }

  /** The injected pod (a copy); the input itself when it is already injected. */
  public ObjectNode inject(ObjectNode original, String namespace) {
    var pod = original.deepCopy();
    if (alreadyInjected(pod)) {
      return pod;
    }
    var md = pod.withObjectProperty("metadata");
    var spec = pod.withObjectProperty("spec");
    var annotations = md.withObjectProperty("annotations");
    var labels = md.withObjectProperty("labels");
    var probers = ProbeRewriter.rewrite(pod);
    labels.put("security.istio.io/tlsMode", "istio");
    labels.put("service.istio.io/canonical-name", canonicalName(md));
    labels.put("service.istio.io/canonical-revision", canonicalRevision(labels));

    var proxy = ProxyContainers.proxy(config, pod, namespace, probers);
    var init = ProxyContainers.init(config, annotations);
    var initContainers = new ArrayList<JsonNode>();
    initContainers.add(init);
    var containers = new ArrayList<JsonNode>();
    if (config.nativeSidecars()) {
      proxy.put("restartPolicy", "Always");
      initContainers.add(proxy);
      spec.path("initContainers").forEach(initContainers::add);
      spec.path("containers").forEach(containers::add);
    } else {
      spec.path("initContainers").forEach(initContainers::add);
      proxy.set("lifecycle", ProxyContainers.holdUntilReady());
      containers.add(proxy);
      spec.path("containers").forEach(containers::add);
    }
    spec.set("initContainers", array(initContainers));
    spec.set("containers", array(containers));

    var volumes = spec.withArrayProperty("volumes");
    volumes.add(tokenVolume());
    volumes.add(rootVolume());
    volumes.addObject().put("name", TMP_VOLUME).putObject("emptyDir");

    if (!annotations.has("kubectl.kubernetes.io/default-container") && !original.path("spec").path("containers").isEmpty()) {
      annotations.put("kubectl.kubernetes.io/default-container", original.path("spec").path("containers").get(0).path("name").asText());
    }
    var status = ConfigLoader.JSON.createObjectNode();
    status.putArray("initContainers").add(INIT);
    status.putArray("containers").add(PROXY);
    status.putArray("volumes").add(TOKEN_VOLUME).add(ROOT_VOLUME).add(TMP_VOLUME);
    status.put("nativeSidecar", config.nativeSidecars());
    status.put("revision", "default");
    annotations.put(InjectionPolicy.STATUS, status.toString());
    return pod;
  }

  private ObjectNode tokenVolume() {
    var v = ConfigLoader.JSON.createObjectNode();
    v.put("name", TOKEN_VOLUME);
    var token = v.putObject("projected").putArray("sources").addObject().putObject("serviceAccountToken");
    token.put("audience", config.tokenAudience());
    token.put("expirationSeconds", 43200);
    token.put("path", ProxyEnv.TOKEN_PATH);
    return v;
  }

  /** The root ConfigMap; the kubelet waits for it, so a pod never starts without the root. */
  private static ObjectNode rootVolume() {
    var v = ConfigLoader.JSON.createObjectNode();
    v.put("name", ROOT_VOLUME);
    v.putObject("configMap").put("name", io.meshwork.kubernetes.install.Names.ROOT_CERT_CONFIGMAP);
    return v;
  }

  /** Istio's canonical service: app.kubernetes.io/name, else app, else the workload name. */
  static String canonicalName(ObjectNode md) {
    var labels = md.path("labels");
    for (var k : List.of("service.istio.io/canonical-name", "app.kubernetes.io/name", "app")) {
      if (labels.path(k).isTextual()) {
        return labels.path(k).asText();
      }
    }
    return workloadName(md);
  }

  static String canonicalRevision(ObjectNode labels) {
    for (var k : List.of("service.istio.io/canonical-revision", "app.kubernetes.io/version", "version")) {
      if (labels.path(k).isTextual()) {
        return labels.path(k).asText();
      }
    }
    return "latest";
  }

  /** The owning workload's name: the pod name, or generateName less a ReplicaSet's hash. */
  static String workloadName(JsonNode md) {
    if (md.path("name").isTextual() && !md.path("name").asText().isEmpty()) {
      return md.path("name").asText();
    }
    var gen = md.path("generateName").asText("pod-");
    gen = gen.endsWith("-") ? gen.substring(0, gen.length() - 1) : gen;
    var hash = md.path("labels").path("pod-template-hash").asText("");
    if (!hash.isEmpty() && gen.endsWith("-" + hash)) {
      gen = gen.substring(0, gen.length() - hash.length() - 1);
    }
    return gen;
  }

  static Map<String, String> stringMap(JsonNode n) {
    var m = new LinkedHashMap<String, String>();
    n.properties().forEach(e -> m.put(e.getKey(), e.getValue().asText()));
    return m;
  }

  private static ArrayNode array(List<JsonNode> items) {
    var a = ConfigLoader.JSON.createArrayNode();
    items.forEach(a::add);
    return a;
  }
}
