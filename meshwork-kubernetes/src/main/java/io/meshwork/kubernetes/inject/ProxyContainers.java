package io.meshwork.kubernetes.inject;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshwork.config.codec.ConfigLoader;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;

/**
 * The two containers the injector adds, as JSON. The proxy learns its pod from the downward API
 * ({@code $(POD_NAME)} and friends are expanded by the kubelet in {@code args}); its labels and
 * app ports are written in at injection time from the pod spec. Resource requests and limits come
 * from Istio's {@code sidecar.istio.io/proxyCPU}, {@code proxyMemory}, {@code proxyCPULimit},
 * {@code proxyMemoryLimit} annotations, defaulting to 100m / 128Mi requested and no limit.
 */
final class ProxyContainers {
  static final String READY_URL_PATH = "/healthz/ready";
  /**
   * Blocks until the proxy's health port answers 200, using only bash (the proxy image has it): the
   * kubelet runs the next container only when this postStart hook returns.
   */
  static final String WAIT_SCRIPT = "for i in $(seq 1 600); do "
      + "if exec 3<>/dev/tcp/127.0.0.1/" + ProbeRewriter.HEALTH_PORT + " 2>/dev/null"
      + " && printf 'GET " + READY_URL_PATH + " HTTP/1.0\\r\\n\\r\\n' >&3 && head -n1 <&3 | grep -q ' 200 '; then exit 0; fi; "
      + "sleep 0.5; done; exit 1";

  private ProxyContainers() {}

  static ObjectNode proxy(InjectorConfig config, ObjectNode pod, String namespace, ObjectNode probers) {
    var md = pod.path("metadata");
    var annotations = md.path("annotations");
    var c = ConfigLoader.JSON.createObjectNode();
    c.put("name", SidecarInjector.PROXY);
    c.put("image", config.proxyImage());
    var args = new ArrayList<String>(List.of("proxy", "--control-plane", config.xdsAddress(), "--workload", "$(POD_NAME)",
        "--namespace", "$(POD_NAMESPACE)", "--ip", "$(INSTANCE_IP)", "--service-account", "$(SERVICE_ACCOUNT)",
        "--admin", "127.0.0.1:15000", "--health-port", Integer.toString(ProbeRewriter.HEALTH_PORT),
        "--capture", interceptionMode(md.path("annotations"))));
    var labels = new StringJoiner(",");
    md.path("labels").properties().forEach(e -> labels.add(e.getKey() + "=" + e.getValue().asText()));
    if (labels.length() > 0) {
      args.add("--labels");
      args.add(labels.toString());
    }
    for (var app : pod.path("spec").path("containers")) {
      for (var p : app.path("ports")) {
        if (p.path("name").isTextual() && !"UDP".equals(p.path("protocol").asText("TCP"))) {
          args.add("--app-port");
          args.add(p.path("name").asText() + "=" + p.path("containerPort").asInt());
        }
      }
    }
    var a = c.putArray("args");
    args.forEach(a::add);
    var env = c.putArray("env");
    fieldEnv(env, "POD_NAME", "metadata.name");
    fieldEnv(env, "POD_NAMESPACE", "metadata.namespace");
    fieldEnv(env, "INSTANCE_IP", "status.podIP");
    fieldEnv(env, "SERVICE_ACCOUNT", "spec.serviceAccountName");
    env.addObject().put("name", ProxyEnv.CA_ADDRESS).put("value", config.caAddress());
    env.addObject().put("name", ProxyEnv.TOKEN_FILE).put("value", ProxyEnv.TOKEN_DIR + "/" + ProxyEnv.TOKEN_PATH);
    env.addObject().put("name", ProxyEnv.CA_ROOT).put("value", ProxyEnv.ROOT_DIR + "/" + ProxyEnv.ROOT_KEY);
    env.addObject().put("name", ProxyEnv.TRUST_DOMAIN).put("value", config.trustDomain());
    if (!probers.isEmpty()) {
      env.addObject().put("name", ProbeRewriter.ENV).put("value", probers.toString());
    }
    var ports = c.putArray("ports");
    ports.addObject().put("name", "http-envoy-prom").put("containerPort", 15090).put("protocol", "TCP");
    ports.addObject().put("name", "http-health").put("containerPort", ProbeRewriter.HEALTH_PORT).put("protocol", "TCP");
    c.set("resources", resources(annotations));
    var probe = ConfigLoader.JSON.createObjectNode();
    var get = probe.putObject("httpGet");
    get.put("path", READY_URL_PATH);
    get.put("port", ProbeRewriter.HEALTH_PORT);
    probe.put("periodSeconds", 2);
    probe.put("failureThreshold", 30);
    c.set("readinessProbe", probe);
    if (config.nativeSidecars()) {
      var startup = probe.deepCopy();
      startup.put("periodSeconds", 1);
      startup.put("failureThreshold", 600);
      c.set("startupProbe", startup);
    }
    var sc = c.putObject("securityContext");
    sc.put("runAsUser", SidecarInjector.PROXY_UID);
    sc.put("runAsGroup", SidecarInjector.PROXY_UID);
    sc.put("runAsNonRoot", true);
    sc.put("allowPrivilegeEscalation", false);
    sc.put("readOnlyRootFilesystem", true);
    sc.putObject("capabilities").putArray("drop").add("ALL");
    var mounts = c.putArray("volumeMounts");
    mounts.addObject().put("name", SidecarInjector.TOKEN_VOLUME).put("mountPath", ProxyEnv.TOKEN_DIR).put("readOnly", true);
    mounts.addObject().put("name", SidecarInjector.ROOT_VOLUME).put("mountPath", ProxyEnv.ROOT_DIR).put("readOnly", true);
    mounts.addObject().put("name", SidecarInjector.TMP_VOLUME).put("mountPath", "/tmp");
    return c;
  }

  /** {@code meshwork iptables}, with Istio's traffic annotations mapped to its flags. */
  static ObjectNode init(InjectorConfig config, JsonNode annotations) {
    var c = ConfigLoader.JSON.createObjectNode();
    c.put("name", SidecarInjector.INIT);
    c.put("image", config.proxyImage());
    var args = c.putArray("args");
    args.add("iptables").add("-p").add("15001").add("-z").add("15006").add("-u").add(Long.toString(SidecarInjector.PROXY_UID))
        .add("-m").add(interceptionMode(annotations))
        .add("-i").add(annotations.path("traffic.sidecar.istio.io/includeOutboundIPRanges").asText("*"))
        .add("-x").add(annotations.path("traffic.sidecar.istio.io/excludeOutboundIPRanges").asText(""))
        .add("-b").add(annotations.path("traffic.sidecar.istio.io/includeInboundPorts").asText("*"))
        .add("-d").add(annotations.path("traffic.sidecar.istio.io/excludeInboundPorts").asText("15090,15021,15020"))
        .add("-o").add(annotations.path("traffic.sidecar.istio.io/excludeOutboundPorts").asText(""))
        .add("-q").add(annotations.path("traffic.sidecar.istio.io/includeOutboundPorts").asText(""));
    var res = c.putObject("resources");
    res.putObject("requests").put("cpu", "10m").put("memory", "40Mi");
    res.putObject("limits").put("cpu", "100m").put("memory", "128Mi");
    var sc = c.putObject("securityContext");
    sc.put("runAsUser", 0);
    sc.put("runAsGroup", 0);
    sc.put("runAsNonRoot", false);
    sc.put("allowPrivilegeEscalation", false);
    sc.put("readOnlyRootFilesystem", false);
    var caps = sc.putObject("capabilities");
    caps.putArray("add").add("NET_ADMIN").add("NET_RAW");
    caps.putArray("drop").add("ALL");
    return c;
  }

  /** Istio's {@code sidecar.istio.io/interceptionMode}: the init container's rules and the proxy's listeners must agree. */
  static String interceptionMode(JsonNode annotations) {
    return annotations.path("sidecar.istio.io/interceptionMode").asText("REDIRECT");
  }

  static ObjectNode holdUntilReady() {
    var l = ConfigLoader.JSON.createObjectNode();
    l.putObject("postStart").putObject("exec").putArray("command").add("bash").add("-c").add(WAIT_SCRIPT);
    return l;
  }

  private static ObjectNode resources(JsonNode annotations) {
    var r = ConfigLoader.JSON.createObjectNode();
    var req = r.putObject("requests");
    req.put("cpu", annotations.path("sidecar.istio.io/proxyCPU").asText("100m"));
    req.put("memory", annotations.path("sidecar.istio.io/proxyMemory").asText("128Mi"));
    var cpuLimit = annotations.path("sidecar.istio.io/proxyCPULimit");
    var memLimit = annotations.path("sidecar.istio.io/proxyMemoryLimit");
    if (cpuLimit.isTextual() || memLimit.isTextual()) {
      var lim = r.putObject("limits");
      if (cpuLimit.isTextual()) {
        lim.put("cpu", cpuLimit.asText());
      }
      if (memLimit.isTextual()) {
        lim.put("memory", memLimit.asText());
      }
    }
    return r;
  }

  private static void fieldEnv(com.fasterxml.jackson.databind.node.ArrayNode env, String name, String path) {
    env.addObject().put("name", name).putObject("valueFrom").putObject("fieldRef").put("fieldPath", path);
  }
}
