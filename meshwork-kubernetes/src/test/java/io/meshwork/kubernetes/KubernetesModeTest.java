package io.meshwork.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.meshwork.config.codec.ConfigLoader;
import io.meshwork.control.registry.AutoRegistration;
import io.meshwork.control.store.ConfigStore;
import io.meshwork.kubernetes.inject.Admission;
import io.meshwork.kubernetes.install.InstallOptions;
import io.meshwork.kubernetes.install.Installer;
import io.meshwork.kubernetes.install.Manifests;
import io.meshwork.kubernetes.install.Names;
import io.meshwork.security.ca.CaOptions;
import io.meshwork.security.pki.Pem;
import io.meshwork.xds.client.NodeInfo;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A control plane replica in Kubernetes mode against a mock API server where Meshwork is installed:
 * it reaches the API through a kubeconfig file, stores the CA root in the Secret, writes the root
 * into the webhook configurations, and serves injection for namespaces it learnt from the informers.
 */
class KubernetesModeTest {
  @TempDir static Path dir;
  static KubernetesMockServer server;
  static io.fabric8.kubernetes.client.KubernetesClient admin;
  static KubernetesMode mode;
  static ConfigStore store;
  static final List<String> progress = new java.util.concurrent.CopyOnWriteArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    server = KubeTestSupport.crudServer();
    admin = server.createClient();
    new Installer(admin, l -> {}).apply(Manifests.render(InstallOptions.defaults()));
    admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("bookinfo")
        .withLabels(Map.of("istio-injection", "enabled")).endMetadata().build()).create();
    var kubeconfig = dir.resolve("kubeconfig");
    Files.writeString(kubeconfig, """
        apiVersion: v1
        kind: Config
        clusters: [{name: mock, cluster: {server: "%s"}}]
        users: [{name: mock, user: {token: test}}]
        contexts: [{name: mock, context: {cluster: mock, user: mock, namespace: default}}]
        current-context: mock
        """.formatted(admin.getMasterUrl()));
    store = new ConfigStore();
    mode = KubernetesMode.start(store, new KubernetesMode.Options(kubeconfig, InstallOptions.defaults(), "meshwork-system", "127.0.0.1", 0,
        dir.resolve("ca"), CaOptions.defaults(), Duration.ofSeconds(20)), progress::add);
  }

  @AfterAll
  static void stop() {
    mode.close();
    admin.close();
    server.destroy();
  }

  @Test
  void theRootIsInTheSecretAndInTheWebhooksCaBundle() throws Exception {
    var root = Pem.encode(mode.certificateAuthority().root());
    var secret = admin.secrets().inNamespace("meshwork-system").withName(Names.CA_SECRET).get();
    assertThat(new String(Base64.getDecoder().decode(secret.getData().get("root-cert.pem")), StandardCharsets.UTF_8)).isEqualTo(root);
    var bundle = Base64.getEncoder().encodeToString(root.getBytes(StandardCharsets.UTF_8));
    var m = admin.admissionRegistration().v1().mutatingWebhookConfigurations().withName(Names.INJECTOR_WEBHOOK).get();
    assertThat(m.getWebhooks()).hasSize(3).allMatch(w -> bundle.equals(w.getClientConfig().getCaBundle()));
    var v = admin.admissionRegistration().v1().validatingWebhookConfigurations().withName(Names.VALIDATOR_WEBHOOK).get();
    assertThat(v.getWebhooks()).allMatch(w -> bundle.equals(w.getClientConfig().getCaBundle()));
    assertThat(progress).anyMatch(l -> l.startsWith("informers synced"));
  }

  @Test
  void theWebhookInjectsPodsOfNamespacesLabelledInTheCluster() throws Exception {
    var trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("root", mode.certificateAuthority().root());
    var tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    var tls = SSLContext.getInstance("TLS");
    tls.init(null, tmf.getTrustManagers(), null);
    var url = URI.create("https://127.0.0.1:" + mode.webhookPort() + "/inject").toURL();
    assertThat(post(url, tls, Admission.podReview(Admission.pod("plain.json"), "bookinfo").toString()).path("response").has("patch")).isTrue();
    assertThat(post(url, tls, Admission.podReview(Admission.pod("plain.json"), "default").toString()).path("response").has("patch")).isFalse();
  }

  /** POSTs over HTTPS, accepting the certificate only if it names the control plane Service, as the API server requires. */
  static com.fasterxml.jackson.databind.JsonNode post(java.net.URL url, SSLContext tls, String body) throws Exception {
    var c = (javax.net.ssl.HttpsURLConnection) url.openConnection();
    c.setSSLSocketFactory(tls.getSocketFactory());
    c.setHostnameVerifier((host, session) -> {
      try {
        var cert = (java.security.cert.X509Certificate) session.getPeerCertificates()[0];
        return cert.getSubjectAlternativeNames().stream().anyMatch(san -> san.get(1).equals("meshwork-control.meshwork-system.svc"));
      } catch (Exception e) {
        return false;
      }
    });
    c.setRequestMethod("POST");
    c.setDoOutput(true);
    c.setRequestProperty("Content-Type", "application/json");
    try (var out = c.getOutputStream()) {
      out.write(body.getBytes(StandardCharsets.UTF_8));
    }
    assertThat(c.getResponseCode()).isEqualTo(200);
    try (var in = c.getInputStream()) {
      return ConfigLoader.JSON.readTree(in);
    }
  }

  @Test
  void aProxyInAPodIsNotAutoRegisteredTwice() throws Exception {
    var pod = new io.fabric8.kubernetes.api.model.PodBuilder().withNewMetadata().withName("ratings-v1-abc").withNamespace("bookinfo")
        .withLabels(Map.of("app", "ratings")).endMetadata()
        .withNewSpec().addNewContainer().withName("ratings").withImage("ratings").endContainer().endSpec()
        .withNewStatus().withPhase("Running").withPodIP("10.2.0.7").endStatus().build();
    admin.pods().inNamespace("bookinfo").resource(pod).create();
    KubeTestSupport.await("the pod is in the store", () -> store.snapshot().resources().keySet().stream()
        .anyMatch(k -> k.kind().equals("Pod") && k.name().equals("ratings-v1-abc")));
    var timer = Executors.newSingleThreadScheduledExecutor();
    try {
      var reg = new AutoRegistration(store, Duration.ofSeconds(1), timer);
      var inPod = NodeInfo.sidecar("ratings-v1-abc", "bookinfo", Map.of("app", "ratings"), "10.2.0.7", Map.of());
      assertThat(reg.connected(inPod)).as("the Pod already stands for this proxy").isNull();
      var onVm = NodeInfo.sidecar("ratings-vm", "bookinfo", Map.of("app", "ratings"), "10.9.9.9", Map.of());
      assertThat(reg.connected(onVm)).as("a proxy outside the cluster is still registered").isNotNull();
    } finally {
      timer.shutdownNow();
    }
  }
}
