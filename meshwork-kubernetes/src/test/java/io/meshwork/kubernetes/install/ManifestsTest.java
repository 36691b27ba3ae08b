package io.meshwork.kubernetes.install;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.meshwork.config.Kinds;
import io.meshwork.kubernetes.KubeTestSupport;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The rendered installation: parsed back by fabric8, coherent (every Service selects a Deployment's
 * pods, every Deployment's ServiceAccount exists, the webhooks point at a Service port), identical
 * to the checked-in deploy/kubernetes/meshwork.yaml, and read by kubectl's own decoder (offline).
 */
class ManifestsTest {
  static final Path CHECKED_IN = Path.of("..", "deploy", "kubernetes", "meshwork.yaml");

  static List<HasMetadata> parsed() {
    var yaml = Manifests.yaml(Manifests.render(InstallOptions.defaults()));
    try (var client = new io.fabric8.kubernetes.client.KubernetesClientBuilder().build()) {
      return client.load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8))).items();
    }
  }

  @Test
  void everyIstioKindHasACrdUnderIstiosGroupServingIstiosVersions() {
    var crds = parsed().stream().filter(CustomResourceDefinition.class::isInstance).map(CustomResourceDefinition.class::cast).toList();
    assertThat(crds).extracting(c -> c.getMetadata().getName()).contains("virtualservices.networking.istio.io",
        "destinationrules.networking.istio.io", "gateways.networking.istio.io", "serviceentries.networking.istio.io",
        "sidecars.networking.istio.io", "workloadentries.networking.istio.io", "peerauthentications.security.istio.io",
        "authorizationpolicies.security.istio.io", "requestauthentications.security.istio.io", "telemetries.telemetry.istio.io");
    var vs = crds.stream().filter(c -> c.getSpec().getNames().getKind().equals("VirtualService")).findFirst().orElseThrow();
    assertThat(vs.getSpec().getVersions()).extracting(v -> v.getName()).containsExactly("v1", "v1beta1", "v1alpha3");
    assertThat(vs.getSpec().getVersions()).allMatch(v -> v.getServed()).filteredOn(v -> v.getStorage()).singleElement()
        .extracting(v -> v.getName()).isEqualTo("v1alpha3");
    assertThat(vs.getSpec().getNames().getShortNames()).containsExactly("vs");
    assertThat(vs.getSpec().getVersions().getFirst().getSchema().getOpenAPIV3Schema().getXKubernetesPreserveUnknownFields()).isTrue();
    for (var crd : crds) {
      var kind = Kinds.byGroupKind(crd.getSpec().getGroup(), crd.getSpec().getNames().getKind());
      assertThat(kind).as(crd.getMetadata().getName()).isNotNull();
      assertThat(crd.getSpec().getNames().getPlural()).isEqualTo(kind.plural());
    }
  }

  @Test
  void theInstallationIsCoherent() {
    var objects = parsed();
    var deployments = objects.stream().filter(Deployment.class::isInstance).map(Deployment.class::cast).toList();
    assertThat(deployments).extracting(d -> d.getMetadata().getName()).containsExactly("meshwork-control", "meshwork-console",
        "meshwork-ingressgateway");
    var serviceAccounts = objects.stream().filter(o -> o.getKind().equals("ServiceAccount")).map(o -> o.getMetadata().getName()).toList();
    for (var d : deployments) {
      assertThat(serviceAccounts).contains(d.getSpec().getTemplate().getSpec().getServiceAccountName());
      assertThat(d.getMetadata().getNamespace()).isEqualTo("meshwork-system");
      assertThat(d.getSpec().getTemplate().getSpec().getContainers().getFirst().getImage()).startsWith("ghcr.io/meshwork/");
    }
    for (var s : objects.stream().filter(Service.class::isInstance).map(Service.class::cast).toList()) {
      assertThat(deployments).as("a Deployment selected by Service " + s.getMetadata().getName())
          .anyMatch(d -> d.getSpec().getTemplate().getMetadata().getLabels().entrySet().containsAll(s.getSpec().getSelector().entrySet()));
    }
    var webhook = objects.stream().filter(MutatingWebhookConfiguration.class::isInstance).map(MutatingWebhookConfiguration.class::cast)
        .findFirst().orElseThrow();
    var control = objects.stream().filter(Service.class::isInstance).map(Service.class::cast)
        .filter(s -> s.getMetadata().getName().equals("meshwork-control")).findFirst().orElseThrow();
    for (var w : webhook.getWebhooks()) {
      var ref = w.getClientConfig().getService();
      assertThat(ref.getName()).isEqualTo("meshwork-control");
      assertThat(control.getSpec().getPorts()).anyMatch(p -> p.getPort().equals(ref.getPort())
          && p.getTargetPort().getIntVal() == Names.WEBHOOK_PORT);
    }
    // Least privilege: nothing but reads cluster-wide, except statuses, events, token reviews, creating ConfigMaps (the
    // root's, which cannot be limited by name before it exists) and our two webhooks and the root ConfigMap by name.
    var role = objects.stream().filter(ClusterRole.class::isInstance).map(ClusterRole.class::cast).findFirst().orElseThrow();
    for (var rule : role.getRules()) {
      if (!rule.getVerbs().stream().allMatch(v -> List.of("get", "list", "watch").contains(v))) {
        assertThat(rule.getResources()).allMatch(r -> r.endsWith("/status") || r.equals("events") || r.equals("tokenreviews")
            || r.equals("configmaps") && rule.getVerbs().equals(List.of("create")) || !rule.getResourceNames().isEmpty());
      }
      if (rule.getResources().contains("secrets")) {
        // Read (never written) cluster-wide for Gateway tls.credentialName, as istiod does: the informer watches
        // kubernetes.io/tls and Opaque Secrets only, but RBAC cannot be limited by a Secret's type.
        assertThat(rule.getResources()).containsExactly("secrets");
        assertThat(rule.getApiGroups()).containsExactly("");
        assertThat(rule.getVerbs()).containsExactlyInAnyOrder("get", "list", "watch");
        assertThat(rule.getResourceNames()).isEmpty();
      }
    }
    assertThat(role.getRules()).as("get/list/watch on secrets, for credentialName").filteredOn(r -> r.getResources().contains("secrets"))
        .hasSize(1);
    var nsRole = objects.stream().filter(Role.class::isInstance).map(Role.class::cast).findFirst().orElseThrow();
    assertThat(nsRole.getMetadata().getNamespace()).isEqualTo("meshwork-system");
  }

  @Test
  void hubAndTagNameTheImages() {
    var yaml = Manifests.yaml(Manifests.render(InstallOptions.defaults().withImages("registry.example/mesh", "9.9")));
    assertThat(yaml).contains("image: \"registry.example/mesh/meshwork-control:9.9\"", "registry.example/mesh/meshwork-proxy:9.9",
        "registry.example/mesh/meshwork-console:9.9").doesNotContain("ghcr.io");
  }

  @Test
  void theCheckedInManifestsAreTheRendering() throws Exception {
    var rendered = Manifests.yaml(Manifests.render(InstallOptions.defaults()));
    if (Boolean.getBoolean("meshwork.updateGoldens")) {
      Files.createDirectories(CHECKED_IN.getParent());
      Files.writeString(CHECKED_IN, rendered);
    }
    assertThat(Files.readString(CHECKED_IN))
        .as("deploy/kubernetes/meshwork.yaml is stale: regenerate it with ./meshwork install --dry-run > deploy/kubernetes/meshwork.yaml")
        .isEqualTo(rendered);
  }

  @Test
  void kubectlReadsEveryManifestOffline() throws Exception {
    var kubectl = Path.of("/usr/bin/kubectl");
    Assumptions.assumeTrue(Files.isExecutable(kubectl), "kubectl is not installed (Debian package kubectl)");
    // No cluster here, and 'kubectl apply --dry-run=client' still asks the server for its API groups (it fails with
    // "couldn't get current server API group list"). 'kubectl label --local' is the offline equivalent: kubectl's
    // own decoder reads every document and maps it to group/version/kind without contacting a server.
    var kubeconfig = Files.createTempFile("kubeconfig", ".yaml");
    Files.writeString(kubeconfig, """
        apiVersion: v1
        kind: Config
        clusters: [{name: none, cluster: {server: "https://127.0.0.1:1"}}]
        users: [{name: none, user: {token: none}}]
        contexts: [{name: none, context: {cluster: none, user: none}}]
        current-context: none
        """);
    var p = new ProcessBuilder(kubectl.toString(), "--kubeconfig", kubeconfig.toString(), "label", "--local", "--dry-run=client",
        "-f", "-", "meshwork.io/checked=true", "-o", "name").redirectErrorStream(true).start();
    try (var in = p.getOutputStream()) {
      in.write(Manifests.yaml(Manifests.render(InstallOptions.defaults())).getBytes(StandardCharsets.UTF_8));
    }
    var out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    Files.deleteIfExists(kubeconfig);
    assertThat(p.exitValue()).as(out).isZero();
    var count = Manifests.render(InstallOptions.defaults()).size();
    assertThat(out.lines().filter(l -> l.contains("/")).count()).as(out).isEqualTo(count);
    assertThat(out).contains("customresourcedefinition.apiextensions.k8s.io/virtualservices.networking.istio.io",
        "deployment.apps/meshwork-control", "mutatingwebhookconfiguration.admissionregistration.k8s.io/meshwork-sidecar-injector");
  }

  @Test
  void installThenUninstallAgainstAnApiServer() {
    var server = KubeTestSupport.crudServer();
    try (var client = server.createClient()) {
      var lines = new java.util.ArrayList<String>();
      var objects = Manifests.render(InstallOptions.defaults());
      new Installer(client, lines::add).apply(objects);
      assertThat(lines).hasSize(objects.size()).allMatch(l -> l.endsWith(" created"));
      assertThat(client.apps().deployments().inNamespace("meshwork-system").withName("meshwork-control").get()).isNotNull();
      lines.clear();
      new Installer(client, lines::add).apply(objects);
      assertThat(lines).allMatch(l -> l.endsWith(" configured"));
      lines.clear();
      new Installer(client, lines::add).delete(objects, false);
      assertThat(client.apps().deployments().inNamespace("meshwork-system").withName("meshwork-control").get()).isNull();
      assertThat(client.apiextensions().v1().customResourceDefinitions().withName("virtualservices.networking.istio.io").get())
          .as("CRDs are kept without --purge").isNotNull();
      new Installer(client, lines::add).delete(objects, true);
      assertThat(client.apiextensions().v1().customResourceDefinitions().withName("virtualservices.networking.istio.io").get()).isNull();
    } finally {
      server.destroy();
    }
  }
}
