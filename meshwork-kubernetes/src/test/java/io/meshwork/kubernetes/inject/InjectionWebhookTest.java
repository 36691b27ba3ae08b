package io.meshwork.kubernetes.inject;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.meshwork.config.codec.ConfigLoader;
import io.meshwork.kubernetes.install.InstallOptions;
import io.meshwork.kubernetes.webhook.AdmissionHandler;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The mutating webhook on real Pod JSON: the patch it answers with is applied by an independent
 * JSON Patch implementation (fabric8's zjsonpatch) and the result checked, then parsed as a
 * fabric8 Pod to prove it is still a well-formed pod.
 */
class InjectionWebhookTest {
  static final Map<String, Map<String, String>> NAMESPACES = Map.of(
      "default", Map.of("istio-injection", "enabled"),
      "voting", Map.of("meshwork-injection", "enabled"),
      "plain", Map.of());
  static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  static AdmissionHandler handler(boolean nativeSidecars) {
    var config = InjectorConfig.of(InstallOptions.defaults(), nativeSidecars ? 31 : 28);
    return new AdmissionHandler(new SidecarInjector(config), ns -> NAMESPACES.getOrDefault(ns, Map.of()));
  }

  static ObjectNode injectViaWebhook(AdmissionHandler h, ObjectNode pod, String ns) {
    var response = h.inject(Admission.podReview(pod, ns));
    assertThat(response.path("apiVersion").asText()).isEqualTo("admission.k8s.io/v1");
    assertThat(response.path("response").path("allowed").asBoolean()).as(response.toString()).isTrue();
    var result = Admission.applyPatch(pod, response);
    SERIALIZATION.unmarshal(result.toString(), Pod.class); // still a pod
    return result;
  }

  static List<String> names(JsonNode containers) {
    var out = new ArrayList<String>();
    containers.forEach(c -> out.add(c.path("name").asText()));
    return out;
  }

  static JsonNode container(JsonNode pod, String list, String name) {
    for (var c : pod.path("spec").path(list)) {
      if (c.path("name").asText().equals(name)) {
        return c;
      }
    }
    throw new AssertionError("no " + list + " named " + name + " in " + pod);
  }

  @Test
  void plainPodInALabelledNamespaceGetsANativeSidecarAndTheCaptureInitContainer() {
    var pod = Admission.pod("plain.json");
    var out = injectViaWebhook(handler(true), pod, "default");
    assertThat(names(out.path("spec").path("initContainers"))).containsExactly("meshwork-init", "meshwork-proxy");
    assertThat(names(out.path("spec").path("containers"))).containsExactly("details");
    var proxy = container(out, "initContainers", "meshwork-proxy");
    assertThat(proxy.path("restartPolicy").asText()).isEqualTo("Always");
    assertThat(proxy.path("startupProbe").path("httpGet").path("port").asInt()).isEqualTo(15021);
    assertThat(proxy.path("image").asText()).isEqualTo("ghcr.io/meshwork/meshwork-proxy:0.1.0");
    var args = proxy.path("args").toString();
    assertThat(args).contains("\"--control-plane\",\"meshwork-control.meshwork-system.svc:15010\"", "\"$(POD_NAME)\"", "\"--labels\"",
        "app=details", "version=v1");
    assertThat(proxy.path("securityContext").path("runAsUser").asInt()).isEqualTo(1337);
    var init = container(out, "initContainers", "meshwork-init");
    assertThat(init.path("args").get(0).asText()).isEqualTo("iptables");
    assertThat(init.path("args").toString()).contains("\"-u\",\"1337\"", "\"-d\",\"15090,15021,15020\"");
    assertThat(init.path("securityContext").path("capabilities").path("add").toString()).contains("NET_ADMIN", "NET_RAW");
    // The proxy serves the ports the init container redirects to (15001/15006), in the same mode.
    assertThat(args).contains("\"--capture\",\"REDIRECT\"");
    assertThat(init.path("args").toString()).contains("\"-p\",\"15001\"", "\"-z\",\"15006\"", "\"-m\",\"REDIRECT\"");
    // Volumes: the pod's own are kept, the token is projected for the CA's audience, the root comes from the ConfigMap.
    assertThat(names(out.path("spec").path("volumes"))).containsExactly("kube-api-access-x7z2k", "meshwork-token", "meshwork-ca-root",
        "meshwork-tmp");
    var token = out.path("spec").path("volumes").get(1).path("projected").path("sources").get(0).path("serviceAccountToken");
    assertThat(token.path("audience").asText()).isEqualTo("istio-ca");
    assertThat(out.path("spec").path("volumes").get(2).path("configMap").path("name").asText()).isEqualTo("meshwork-ca-root-cert");
    var labels = out.path("metadata").path("labels");
    assertThat(labels.path("security.istio.io/tlsMode").asText()).isEqualTo("istio");
    assertThat(labels.path("service.istio.io/canonical-name").asText()).isEqualTo("details");
    assertThat(labels.path("service.istio.io/canonical-revision").asText()).isEqualTo("v1");
    assertThat(out.path("metadata").path("annotations").path("sidecar.istio.io/status").asText()).contains("meshwork-proxy");
    // Everything else is untouched.
    assertThat(out.path("spec").path("tolerations")).isEqualTo(pod.path("spec").path("tolerations"));
    assertThat(out.path("metadata").path("ownerReferences")).isEqualTo(pod.path("metadata").path("ownerReferences"));
  }

  @Test
  void onAnOlderClusterTheProxyIsTheFirstContainerAndHoldsTheAppUntilReady() {
    var out = injectViaWebhook(handler(false), Admission.pod("plain.json"), "default");
    assertThat(names(out.path("spec").path("initContainers"))).containsExactly("meshwork-init");
    assertThat(names(out.path("spec").path("containers"))).containsExactly("meshwork-proxy", "details");
    var proxy = container(out, "containers", "meshwork-proxy");
    assertThat(proxy.has("restartPolicy")).isFalse();
    assertThat(proxy.path("lifecycle").path("postStart").path("exec").path("command").toString()).contains("/healthz/ready");
  }

  @Test
  void httpProbesGoThroughTheHealthPortAndTheOriginalsReachTheProxy() {
    var pod = Admission.pod("probes.json");
    var out = injectViaWebhook(handler(true), pod, "voting");
    var vote = container(out, "containers", "vote");
    assertThat(vote.path("readinessProbe").path("httpGet").path("path").asText()).isEqualTo("/app-health/vote/readyz");
    assertThat(vote.path("readinessProbe").path("httpGet").path("port").asInt()).isEqualTo(15021);
    assertThat(vote.path("readinessProbe").path("periodSeconds").asInt()).isEqualTo(5); // timings kept
    assertThat(vote.path("livenessProbe").path("httpGet").path("path").asText()).isEqualTo("/app-health/vote/livez");
    assertThat(vote.path("startupProbe")).isEqualTo(pod.path("spec").path("containers").get(0).path("startupProbe")); // TCP: untouched
    var proxy = container(out, "initContainers", "meshwork-proxy");
    JsonNode probers = null;
    for (var e : proxy.path("env")) {
      if (e.path("name").asText().equals("ISTIO_KUBE_APP_PROBERS")) {
        probers = readTree(e.path("value").asText());
      }
    }
    assertThat(probers).isNotNull();
    var ready = probers.path("/app-health/vote/readyz");
    assertThat(ready.path("httpGet").path("port").asInt()).as("named port resolved").isEqualTo(8080);
    assertThat(ready.path("httpGet").path("path").asText()).isEqualTo("/healthz");
    assertThat(ready.path("timeoutSeconds").asInt()).isEqualTo(2);
    assertThat(probers.path("/app-health/vote/livez").path("httpGet").path("httpHeaders").get(0).path("value").asText()).isEqualTo("liveness");
    // Resource annotations, traffic annotations, app ports, and the app's own init container after the proxy.
    assertThat(proxy.path("resources").path("requests").path("cpu").asText()).isEqualTo("250m");
    assertThat(proxy.path("resources").path("limits").path("memory").asText()).isEqualTo("256Mi");
    assertThat(container(out, "initContainers", "meshwork-init").path("args").toString()).contains("\"-o\",\"5432\"");
    assertThat(proxy.path("args").toString()).contains("\"--app-port\",\"http=8080\"");
    assertThat(names(out.path("spec").path("initContainers"))).containsExactly("meshwork-init", "meshwork-proxy", "wait-for-redis");
  }

  @Test
  void anOptedOutPodIsAllowedUnchanged() {
    var response = handler(true).inject(Admission.podReview(Admission.pod("opted-out.json"), "default"));
    assertThat(response.path("response").path("allowed").asBoolean()).isTrue();
    assertThat(response.path("response").has("patch")).isFalse();
  }

  @Test
  void aPodInANamespaceWithoutTheLabelIsNotInjectedUnlessItAsks() {
    var pod = Admission.pod("plain.json");
    assertThat(handler(true).inject(Admission.podReview(pod, "plain")).path("response").has("patch")).isFalse();
    pod.withObjectProperty("metadata").withObjectProperty("labels").put("sidecar.istio.io/inject", "true");
    var out = injectViaWebhook(handler(true), pod, "plain");
    assertThat(names(out.path("spec").path("initContainers"))).contains("meshwork-proxy");
  }

  @Test
  void injectingTwiceChangesNothing() {
    var h = handler(true);
    var once = injectViaWebhook(h, Admission.pod("probes.json"), "voting");
    var response = h.inject(Admission.podReview(once, "voting"));
    assertThat(response.path("response").path("allowed").asBoolean()).isTrue();
    assertThat(response.path("response").has("patch")).isFalse();
    // And the injector itself is a fixed point on its own output.
    var injector = new SidecarInjector(InjectorConfig.of(InstallOptions.defaults(), 31));
    assertThat(injector.inject(once, "voting")).isEqualTo(once);
  }

  @Test
  void aPodInjectedByIstioIsLeftAlone() {
    var response = handler(true).inject(Admission.podReview(Admission.pod("istio-injected.json"), "default"));
    assertThat(response.path("response").path("allowed").asBoolean()).isTrue();
    assertThat(response.path("response").has("patch")).isFalse();
  }

  @Test
  void aProbeOnAPortTheContainerLacksIsRefusedWithOneSentence() {
    var pod = Admission.pod("probes.json");
    ((ObjectNode) pod.path("spec").path("containers").get(0).path("readinessProbe").path("httpGet")).put("port", "metrics");
    var response = handler(true).inject(Admission.podReview(pod, "voting")).path("response");
    assertThat(response.path("allowed").asBoolean()).isFalse();
    assertThat(response.path("status").path("message").asText()).contains("container vote", "\"metrics\"");
  }

  @Test
  void thePatchEscapesAnnotationKeys() {
    var response = handler(true).inject(Admission.podReview(Admission.pod("probes.json"), "voting"));
    var patch = new String(java.util.Base64.getDecoder().decode(response.path("response").path("patch").asText()),
        java.nio.charset.StandardCharsets.UTF_8);
    assertThat(patch).contains("/metadata/annotations/sidecar.istio.io~1status");
  }

  static JsonNode readTree(String s) {
    try {
      return ConfigLoader.JSON.readTree(s);
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }
}
