package io.meshwork.kubernetes.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.meshwork.config.codec.ConfigLoader;
import io.meshwork.kubernetes.inject.Admission;
import io.meshwork.kubernetes.inject.InjectorConfig;
import io.meshwork.kubernetes.inject.SidecarInjector;
import io.meshwork.kubernetes.install.InstallOptions;
import io.meshwork.security.ca.CaOptions;
import io.meshwork.security.ca.CertificateAuthority;
import io.meshwork.security.pki.Pem;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The webhooks over real HTTPS, as the API server calls them: the client trusts only the mesh CA
 * root (the caBundle) and checks the host name, then sends AdmissionReviews for the voting app's
 * pods and for Istio resources.
 */
class WebhookServerTest {
  @TempDir static Path dir;
  static WebhookServer server;
  static HttpClient client;

  @BeforeAll
  static void start() throws Exception {
    var ca = CertificateAuthority.selfSigned(dir.resolve("ca"), CaOptions.defaults(), Clock.systemUTC());
    var caKey = Pem.privateKey(Files.readString(dir.resolve("ca/root-key.pem")));
    var serving = WebhookCerts.issue(caKey, ca.root(), List.of("localhost", "meshwork-control.meshwork-system.svc"), Duration.ofDays(1));
    var handler = new AdmissionHandler(new SidecarInjector(InjectorConfig.of(InstallOptions.defaults(), 30)),
        ns -> Map.of("istio-injection", "enabled"));
    server = WebhookServer.start("127.0.0.1", 0, serving.sslContext(), handler);
    var trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("mesh-root", ca.root());
    var tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    var tls = SSLContext.getInstance("TLS");
    tls.init(null, tmf.getTrustManagers(), null);
    client = HttpClient.newBuilder().sslContext(tls).build();
  }

  @AfterAll
  static void stop() {
    server.close();
    client.close();
  }

  static HttpResponse<String> post(String path, String body) throws Exception {
    return client.send(HttpRequest.newBuilder(URI.create("https://localhost:" + server.port() + path))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static JsonNode json(String s) throws Exception {
    return ConfigLoader.JSON.readTree(s);
  }

  @Test
  void everyVotingAppPodIsInjectedOverHttps() throws Exception {
    var yaml = Files.readString(Path.of("..", "samples", "voting-app", "kubernetes", "voting-app.yaml"));
    List<Object> items = new io.fabric8.kubernetes.client.utils.KubernetesSerialization()
        .unmarshal(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)));
    var deployments = items.stream().filter(Deployment.class::isInstance).map(Deployment.class::cast).toList();
    assertThat(deployments).hasSizeGreaterThanOrEqualTo(4);
    var serialization = new io.fabric8.kubernetes.client.utils.KubernetesSerialization();
    for (var d : deployments) {
      // The pod a ReplicaSet would create from the template.
      var pod = ConfigLoader.JSON.createObjectNode();
      pod.put("apiVersion", "v1");
      pod.put("kind", "Pod");
      var md = pod.putObject("metadata");
      md.put("generateName", d.getMetadata().getName() + "-6d4f9c7b8-");
      md.put("namespace", "default");
      md.set("labels", json(serialization.asJson(d.getSpec().getTemplate().getMetadata().getLabels())));
      pod.set("spec", json(serialization.asJson(d.getSpec().getTemplate().getSpec())));
      var r = post("/inject", Admission.podReview(pod, "default").toString());
      assertThat(r.statusCode()).isEqualTo(200);
      var review = json(r.body());
      assertThat(review.path("response").path("allowed").asBoolean()).as(d.getMetadata().getName()).isTrue();
      var injected = Admission.applyPatch(pod, review);
      var typed = serialization.unmarshal(injected.toString(), io.fabric8.kubernetes.api.model.Pod.class);
      assertThat(typed.getSpec().getInitContainers()).extracting(c -> c.getName()).startsWith("meshwork-init", "meshwork-proxy");
      var appPorts = d.getSpec().getTemplate().getSpec().getContainers().getFirst().getPorts();
      var proxyArgs = String.join(" ", typed.getSpec().getInitContainers().get(1).getArgs());
      for (var p : appPorts) {
        if (p.getName() != null) {
          assertThat(proxyArgs).contains("--app-port " + p.getName() + "=" + p.getContainerPort());
        }
      }
      assertThat(typed.getMetadata().getLabels()).containsEntry("service.istio.io/canonical-name",
          d.getSpec().getTemplate().getMetadata().getLabels().get("app"));
    }
  }

  @Test
  void invalidIstioResourcesAreRefusedWithTheValidatorsErrors() throws Exception {
    var vs = json("""
        {"apiVersion":"networking.istio.io/v1","kind":"VirtualService","metadata":{"name":"reviews"},
         "spec":{"hosts":["reviews"],"http":[{"route":[{"destination":{"subset":"v1"}}]}]}}""");
    var r = json(post("/validate", Admission.review(vs, "default", "networking.istio.io", "v1", "VirtualService", "virtualservices",
        "CREATE").toString()).body());
    assertThat(r.path("response").path("allowed").asBoolean()).isFalse();
    assertThat(r.path("response").path("status").path("code").asInt()).isEqualTo(422);
    assertThat(r.path("response").path("status").path("message").asText()).contains("VirtualService/default/reviews",
        "spec.http[0].route[0].destination.host");
  }

  @Test
  void validIstioResourcesAreAllowedAndUnsupportedKindsWarned() throws Exception {
    var dr = json("""
        {"apiVersion":"networking.istio.io/v1","kind":"DestinationRule","metadata":{"name":"reviews","namespace":"default"},
         "spec":{"host":"reviews","subsets":[{"name":"v1","labels":{"version":"v1"}}]}}""");
    var ok = json(post("/validate", Admission.review(dr, "default", "networking.istio.io", "v1", "DestinationRule", "destinationrules",
        "CREATE").toString()).body());
    assertThat(ok.path("response").path("allowed").asBoolean()).isTrue();
    var ef = json("""
        {"apiVersion":"networking.istio.io/v1alpha3","kind":"EnvoyFilter","metadata":{"name":"x"},"spec":{"configPatches":[]}}""");
    var warned = json(post("/validate", Admission.review(ef, "default", "networking.istio.io", "v1alpha3", "EnvoyFilter", "envoyfilters",
        "CREATE").toString()).body());
    assertThat(warned.path("response").path("allowed").asBoolean()).isTrue();
    assertThat(warned.path("response").path("warnings").toString()).contains("not supported");
  }

  @Test
  void aBodyThatIsNotJsonIsA400() throws Exception {
    assertThat(post("/inject", "not json").statusCode()).isEqualTo(400);
  }
}
