package io.meshwork.kubernetes.sync;

import static io.meshwork.kubernetes.KubeTestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.MockResponse;
import io.meshwork.config.ResourceKey;
import io.meshwork.control.store.ConfigStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code kubernetes.io/tls} Secrets created in the cluster reach the store (where the control plane serves
 * them to gateways over SDS for {@code tls.credentialName}), updates and deletes follow, and no other Secret
 * type is stored. fabric8's CRUD mock does not implement the {@code type} field selector (it would match
 * nothing), so the dispatcher here records the selector the client sends and answers as a server that ignored
 * it: the test sees both that the watch asks for TLS Secrets only and that the handler drops anything else.
 */
class TlsSecretSyncTest {
  static final ResourceKey WEB = new ResourceKey("", "Secret", "istio-system", "web-credential");
  static final ResourceKey OPAQUE = new ResourceKey("", "Secret", "istio-system", "db-password");

  SelectorRecordingDispatcher dispatcher;
  KubernetesMockServer server;
  KubernetesClient client;
  ConfigStore store;
  KubeConfigSync sync;

  @BeforeEach
  void start() {
    dispatcher = new SelectorRecordingDispatcher();
    server = new KubernetesMockServer(new io.fabric8.mockwebserver.Context(), new io.fabric8.mockwebserver.MockWebServer(),
        new java.util.HashMap<>(), dispatcher, false);
    server.init();
    client = server.createClient();
    for (var crd : io.meshwork.kubernetes.install.Crds.render()) {
      client.resource(crd).create(); // the informers of the Istio kinds list them too
    }
    store = new ConfigStore();
  }

  @AfterEach
  void stop() {
    if (sync != null) {
      sync.close();
    }
    client.close();
    server.destroy();
  }

  static String resource(String name) {
    try (InputStream in = TlsSecretSyncTest.class.getResourceAsStream("/tls/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  static Secret tlsSecret(String host) {
    return new SecretBuilder().withNewMetadata().withName(WEB.name()).withNamespace(WEB.namespace())
        .addToAnnotations(TlsSecrets.LAST_APPLIED, "{\"data\":{\"tls.key\":\"" + b64(resource(host + ".key")) + "\"}}").endMetadata()
        .withType("kubernetes.io/tls")
        .withData(Map.of("tls.crt", b64(resource(host + ".crt")), "tls.key", b64(resource(host + ".key")))).build();
  }

  io.meshwork.config.kube.Secret stored(ResourceKey key) {
    var r = store.snapshot().get(key);
    return r == null ? null : (io.meshwork.config.kube.Secret) r.spec();
  }

  @Test
  void aTlsSecretIsStoredUpdatedAndDeletedAndNoOtherTypeIsRead() {
    // One of each before the informers start (the initial list) ...
    client.secrets().inNamespace(WEB.namespace()).resource(tlsSecret("a.example.com")).create();
    client.secrets().inNamespace(OPAQUE.namespace()).resource(new SecretBuilder().withNewMetadata().withName(OPAQUE.name()).endMetadata()
        .withType("Opaque").withData(Map.of("password", b64("hunter2"))).build()).create();
    sync = new KubeConfigSync(client, store).start(Duration.ofSeconds(30));

    await("the TLS Secret is stored", () -> stored(WEB) != null);
    var web = stored(WEB);
    assertThat(web.tls()).isTrue();
    assertThat(web.values()).containsEntry("tls.crt", resource("a.example.com.crt")).containsEntry("tls.key", resource("a.example.com.key"));
    var annotations = store.snapshot().get(WEB).metadata().annotations();
    assertThat(annotations == null ? Map.of() : annotations).as("kubectl's copy of the key is not stored")
        .doesNotContainKey(TlsSecrets.LAST_APPLIED);
    assertThat(store.snapshot().get(OPAQUE)).isNull();

    // ... and after (the watch): another Opaque one and a service-account token are never stored either.
    client.secrets().inNamespace("default").resource(new SecretBuilder().withNewMetadata().withName("app-token").endMetadata()
        .withType("kubernetes.io/service-account-token").withStringData(Map.of("token", "t")).build()).create();
    client.secrets().inNamespace(OPAQUE.namespace()).resource(new SecretBuilder().withNewMetadata().withName("later").endMetadata()
        .withType("Opaque").withData(Map.of("k", b64("v"))).build()).create();

    // A rotation: the new certificate and key replace the old ones.
    client.secrets().inNamespace(WEB.namespace()).resource(tlsSecret("b.example.com")).update();
    await("the rotated certificate is stored", () -> resource("b.example.com.crt").equals(stored(WEB).values().get("tls.crt")));
    assertThat(stored(WEB).values()).containsEntry("tls.key", resource("b.example.com.key"));

    client.secrets().inNamespace(WEB.namespace()).withName(WEB.name()).delete();
    await("the deleted Secret is gone", () -> stored(WEB) == null);

    // Every event of the other types has been delivered by now (one watch, in order); none reached the store.
    assertThat(store.snapshot().resources().keySet()).noneMatch(k -> k.kind().equals("Secret"));

    // What the API server was asked: Secrets by list and watch, always with a type field selector (TLS, and Opaque
    // for Istio's generic form, whose Secrets without credential keys, as the two above, are never stored).
    assertThat(dispatcher.secretRequests).isNotEmpty().allSatisfy(sel -> assertThat(sel).isIn("type=kubernetes.io/tls", "type=Opaque"));
    assertThat(dispatcher.secretRequests).contains("type=kubernetes.io/tls", "type=Opaque");
    assertThat(dispatcher.secretRequests).hasSizeGreaterThanOrEqualTo(4); // per type: the initial list, then the watch
  }

  @Test
  void istiosGenericOpaqueFormIsStoredWithItsCredentialKeysOnly() {
    var generic = new ResourceKey("", "Secret", "istio-system", "web-generic");
    var cacert = new ResourceKey("", "Secret", "istio-system", "web-generic-cacert");
    client.secrets().inNamespace(generic.namespace()).resource(new SecretBuilder().withNewMetadata().withName(generic.name()).endMetadata()
        .withType("Opaque").withData(Map.of("cert", b64(resource("a.example.com.crt")), "key", b64(resource("a.example.com.key")),
            "db-password", b64("hunter2"))).build()).create();
    sync = new KubeConfigSync(client, store).start(Duration.ofSeconds(30));
    await("the generic Secret is stored", () -> stored(generic) != null);
    assertThat(stored(generic).keyPair().chain()).isEqualTo(resource("a.example.com.crt"));
    assertThat(stored(generic).values()).as("only the credential keys are copied").containsOnlyKeys("cert", "key");

    client.secrets().inNamespace(cacert.namespace()).resource(new SecretBuilder().withNewMetadata().withName(cacert.name()).endMetadata()
        .withType("Opaque").withData(Map.of("ca.crt", b64(resource("b.example.com.crt")))).build()).create();
    await("the separate -cacert Secret is stored", () -> stored(cacert) != null);
    assertThat(stored(cacert).caBundle()).isEqualTo(resource("b.example.com.crt"));

    // An application's Secret with a "key" that is no certificate (an API key) is neither stored nor reported.
    var apiKey = new ResourceKey("", "Secret", "istio-system", "api-key");
    client.secrets().inNamespace(apiKey.namespace()).resource(new SecretBuilder().withNewMetadata().withName(apiKey.name()).endMetadata()
        .withType("Opaque").withData(Map.of("key", b64("sk-123"))).build()).create();

    // An update that leaves no credential key withdraws it; a delete removes the other.
    client.secrets().inNamespace(generic.namespace()).resource(new SecretBuilder().withNewMetadata().withName(generic.name()).endMetadata()
        .withType("Opaque").withData(Map.of("db-password", b64("hunter2"))).build()).update();
    await("the Secret without credential keys is withdrawn", () -> stored(generic) == null);
    client.secrets().inNamespace(cacert.namespace()).withName(cacert.name()).delete();
    await("the deleted -cacert Secret is gone", () -> stored(cacert) == null);
    assertThat(store.snapshot().resources().keySet()).noneMatch(k -> k.kind().equals("Secret"));
    assertThat(sync.rejected()).as("the API key Secret was not judged as a certificate").doesNotContainKey(apiKey);
  }

  @Test
  void anInvalidTlsSecretIsReportedAndLeftOut() {
    sync = new KubeConfigSync(client, store).start(Duration.ofSeconds(30));
    var bad = tlsSecret("a.example.com");
    bad.setData(Map.of("tls.crt", b64(resource("a.example.com.crt")), "tls.key", b64(resource("b.example.com.key"))));
    client.secrets().inNamespace(WEB.namespace()).resource(bad).create();
    await("the mismatched key is rejected", () -> sync.rejected().containsKey(WEB));
    assertThat(stored(WEB)).isNull();
    assertThat(sync.rejected().get(WEB)).anyMatch(e -> e.contains("tls.key")).noneMatch(e -> e.contains("PRIVATE KEY"));
    await("a Warning event names it", () -> client.v1().events().inNamespace(WEB.namespace()).list().getItems().stream()
        .anyMatch(e -> e.getReason().equals(InvalidConfigReporter.REASON) && e.getInvolvedObject().getName().equals(WEB.name())));
  }

  /**
   * The CRUD dispatcher, except that the {@code type} field requirement of Secret lists and watches is recorded
   * and removed before the mock sees it (it would otherwise match nothing: the mock indexes names, namespaces
   * and labels only).
   */
  static final class SelectorRecordingDispatcher extends KubernetesCrudDispatcher {
    final List<String> secretRequests = new CopyOnWriteArrayList<>();

    @Override
    public MockResponse handleGet(String path) {
      var q = path.indexOf('?');
      var base = q < 0 ? path : path.substring(0, q);
      if (!base.endsWith("/secrets")) {
        return super.handleGet(path);
      }
      var params = new ArrayList<String>();
      String selector = "";
      for (var p : q < 0 ? new String[0] : path.substring(q + 1).split("&")) {
        if (p.startsWith("fieldSelector=")) {
          var requirements = new ArrayList<String>();
          for (var r : URLDecoder.decode(p.substring("fieldSelector=".length()), StandardCharsets.UTF_8).split(",")) {
            if (r.startsWith("type=") || r.startsWith("type==")) {
              selector = r;
            } else {
              requirements.add(r);
            }
          }
          if (!requirements.isEmpty()) {
            params.add("fieldSelector=" + URLEncoder.encode(String.join(",", requirements), StandardCharsets.UTF_8));
          }
        } else {
          params.add(p);
        }
      }
      secretRequests.add(selector);
      return super.handleGet(params.isEmpty() ? base : base + "?" + String.join("&", params));
    }
  }
}
