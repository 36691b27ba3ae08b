package io.meshwork.kubernetes.inject;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.meshwork.config.codec.ConfigLoader;
import io.meshwork.kubernetes.install.InstallOptions;
import io.meshwork.kubernetes.install.Manifests;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The closest offline check kubectl offers for workloads: {@code kubectl set env --local} decodes an
 * object into Kubernetes' own Go types (the {@code apps/v1} Deployment, the {@code v1} Pod of the
 * kubectl release installed) and prints it back, with no server. A field of the wrong type fails the
 * decode; a misspelled or unknown field is silently dropped, so every field we wrote must come back
 * with the same value. Applied to the installed Deployments and to injected pods (native sidecar and
 * first-container layouts). {@code apply --dry-run=client} and {@code create --dry-run=client} are
 * not offline: both ask the server for its API groups first.
 */
class KubectlTypedDecodeTest {
  static final Path KUBECTL = Path.of("/usr/bin/kubectl");
  static Path kubeconfig;
  /** kubectl's client minor version: its types know native sidecars (initContainers[].restartPolicy) from 1.28. */
  static int kubectlMinor;

  @BeforeAll
  static void kubeconfig() throws Exception {
    Assumptions.assumeTrue(Files.isExecutable(KUBECTL), "kubectl is not installed (Debian package kubectl)");
    var v = new ProcessBuilder(KUBECTL.toString(), "version", "--client", "-o", "json").start();
    var version = ConfigLoader.JSON.readTree(v.getInputStream().readAllBytes());
    assertThat(v.waitFor(60, TimeUnit.SECONDS)).isTrue();
    kubectlMinor = Integer.parseInt(version.path("clientVersion").path("minor").asText("0").replaceAll("[^0-9]", ""));
    kubeconfig = Files.createTempFile("kubeconfig", ".yaml");
    Files.writeString(kubeconfig, """
        apiVersion: v1
        kind: Config
        clusters: [{name: none, cluster: {server: "https://127.0.0.1:1"}}]
        users: [{name: none, user: {token: none}}]
        contexts: [{name: none, context: {cluster: none, user: none}}]
        current-context: none
        """);
  }

  @AfterAll
  static void cleanup() throws Exception {
    if (kubeconfig != null) {
      Files.deleteIfExists(kubeconfig);
    }
  }

  static final String MARK = "MESHWORK_KUBECTL_CHECK";

  /**
   * kubectl's typed round trip of one object. kubectl prints only objects it changed, so it adds an
   * env var to every container, which is taken out of its answer again.
   */
  static JsonNode roundTrip(JsonNode object) throws Exception {
    var p = new ProcessBuilder(KUBECTL.toString(), "--kubeconfig", kubeconfig.toString(), "set", "env", "--local", "--dry-run=client",
        "-o", "json", "-f", "-", MARK + "=1").start();
    try (var in = p.getOutputStream()) {
      in.write(object.toString().getBytes(StandardCharsets.UTF_8));
    }
    var out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    var err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("kubectl decodes %s: %s", object.path("metadata").path("name"), err).isZero();
    var back = ConfigLoader.JSON.readTree(out);
    assertThat(back.isObject()).as("kubectl printed the object: %s", out).isTrue();
    unmark(back);
    return back;
  }

  private static void unmark(JsonNode n) {
    if (n.isObject()) {
      var env = n.get("env");
      if (env != null && env.isArray()) {
        for (var it = env.iterator(); it.hasNext();) {
          if (MARK.equals(it.next().path("name").asText())) {
            it.remove();
          }
        }
      }
      n.forEach(KubectlTypedDecodeTest::unmark);
    } else if (n.isArray()) {
      n.forEach(KubectlTypedDecodeTest::unmark);
    }
  }

  /** Paths of {@code expected} that {@code actual} lacks or holds with another value. */
  static void diff(String path, JsonNode expected, JsonNode actual, List<String> out) {
    if (actual == null || actual.isMissingNode()) {
      out.add(path + " dropped");
    } else if (expected.isObject()) {
      expected.properties().forEach(e -> diff(path + "." + e.getKey(), e.getValue(), actual.get(e.getKey()), out));
    } else if (expected.isArray()) {
      if (actual.size() != expected.size()) {
        out.add(path + " has " + actual.size() + " items, not " + expected.size());
        return;
      }
      for (int i = 0; i < expected.size(); i++) {
        diff(path + "[" + i + "]", expected.get(i), actual.get(i), out);
      }
    } else if (!expected.isNull() && !expected.asText().equals(actual.asText())) {
      out.add(path + " = " + actual + ", not " + expected);
    }
  }

  static void assertKubectlKeepsEveryField(JsonNode object) throws Exception {
    var back = roundTrip(object);
    var problems = new ArrayList<String>();
    diff("", object, back, problems);
    assertThat(problems).as("fields kubectl's types do not know or read differently in " + object.path("kind").asText() + " "
        + object.path("metadata").path("name").asText()).isEmpty();
  }

  @Test
  void theInstalledDeploymentsDecodeIntoKubernetesTypesWithEveryField() throws Exception {
    var ser = new KubernetesSerialization();
    var deployments = Manifests.render(InstallOptions.defaults()).stream().filter(Deployment.class::isInstance).toList();
    assertThat(deployments).hasSize(3);
    for (var d : deployments) {
      assertKubectlKeepsEveryField(ConfigLoader.JSON.readTree(ser.asJson(d)));
    }
  }

  @Test
  void injectedPodsDecodeIntoKubernetesTypesWithEveryField() throws Exception {
    for (boolean nativeSidecars : new boolean[] {true, false}) {
      if (nativeSidecars && kubectlMinor < 28) {
        continue; // an older kubectl's Pod type has no initContainers[].restartPolicy; such clusters get the other layout
      }
      var injector = new SidecarInjector(InjectorConfig.of(InstallOptions.defaults(), nativeSidecars ? 30 : 28));
      for (var resource : List.of("plain.json", "probes.json")) {
        var pod = injector.inject(Admission.pod(resource), "default");
        assertThat(pod.path("metadata").path("annotations").has(InjectionPolicy.STATUS)).isTrue();
        assertKubectlKeepsEveryField(pod);
      }
    }
  }

  @Test
  void theVotingAppsInjectedPodsDecodeIntoKubernetesTypesWithEveryField() throws Exception {
    var ser = new KubernetesSerialization();
    List<Object> items = ser.unmarshal(Files.newInputStream(Path.of("..", "samples", "voting-app", "kubernetes", "voting-app.yaml")));
    var deployments = items.stream().filter(Deployment.class::isInstance).map(Deployment.class::cast).toList();
    assertThat(deployments).hasSizeGreaterThanOrEqualTo(4);
    var injector = new SidecarInjector(InjectorConfig.of(InstallOptions.defaults(), kubectlMinor >= 28 ? 30 : 27));
    for (var d : deployments) {
      // The pod a ReplicaSet would create from the template.
      var pod = ConfigLoader.JSON.createObjectNode();
      pod.put("apiVersion", "v1").put("kind", "Pod");
      var md = pod.putObject("metadata");
      md.put("name", d.getMetadata().getName() + "-6d4f9c7b8-x2k9d").put("namespace", "default");
      md.set("labels", ConfigLoader.JSON.readTree(ser.asJson(d.getSpec().getTemplate().getMetadata().getLabels())));
      pod.set("spec", ConfigLoader.JSON.readTree(ser.asJson(d.getSpec().getTemplate().getSpec())));
      var injected = injector.inject(pod, "default");
      assertThat(injected.path("metadata").path("annotations").has(InjectionPolicy.STATUS)).as(d.getMetadata().getName()).isTrue();
      assertKubectlKeepsEveryField(injected);
    }
  }

  @Test
  void aFieldOfTheWrongTypeOrAnUnknownFieldIsCaught() throws Exception {
    // The check itself: what it must notice.
    Assumptions.assumeTrue(kubectlMinor >= 28, "kubectl older than 1.28");
    var pod = new SidecarInjector(InjectorConfig.of(InstallOptions.defaults(), 30)).inject(Admission.pod("plain.json"), "default");
    var unknown = pod.deepCopy();
    ((com.fasterxml.jackson.databind.node.ObjectNode) unknown.path("spec").path("initContainers").get(1)).put("restartPolicyy", "Always");
    var problems = new ArrayList<String>();
    diff("", unknown, roundTrip(unknown), problems);
    assertThat(problems).containsExactly(".spec.initContainers[1].restartPolicyy dropped");
    var wrongType = pod.deepCopy();
    ((com.fasterxml.jackson.databind.node.ObjectNode) wrongType.path("spec").path("initContainers").get(1).path("readinessProbe"))
        .put("periodSeconds", "two");
    var p = new ProcessBuilder(KUBECTL.toString(), "--kubeconfig", kubeconfig.toString(), "set", "env", "--local", "--dry-run=client",
        "-o", "json", "-f", "-", "X-").redirectErrorStream(true).start();
    try (var in = p.getOutputStream()) {
      in.write(wrongType.toString().getBytes(StandardCharsets.UTF_8));
    }
    var out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isNotZero();
    assertThat(out).contains("periodSeconds");
  }
}
