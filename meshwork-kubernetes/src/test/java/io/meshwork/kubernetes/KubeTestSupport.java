package io.meshwork.kubernetes;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.meshwork.config.Kinds;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;

/** Test helpers: the shared corpora, applying YAML to a (mock) API server, playing the kubelet. */
public final class KubeTestSupport {
  private KubeTestSupport() {}

  public static Path testdata() {
    var p = System.getProperty("meshwork.testdata");
    return p != null ? Path.of(p) : Path.of("..", "..", "shared", "testdata");
  }

  public static Path bookinfo(String file) {
    return testdata().resolve("istio/bookinfo").resolve(file);
  }

  /** fabric8's mock API server in CRUD mode (it stores what it is sent and serves lists and watches). */
  public static io.fabric8.kubernetes.client.server.mock.KubernetesMockServer crudServer() {
    var server = new io.fabric8.kubernetes.client.server.mock.KubernetesMockServer(new io.fabric8.mockwebserver.Context(),
        new io.fabric8.mockwebserver.MockWebServer(), new java.util.HashMap<>(),
        new io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher(), false);
    server.init();
    return server;
  }

  /** Parses YAML with fabric8 and creates every object (Istio kinds through their CRD's context). */
  public static List<HasMetadata> apply(KubernetesClient client, String yaml, String namespace) {
    var items = client.load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8))).items();
    for (var o : items) {
      if (o.getMetadata().getNamespace() == null) {
        o.getMetadata().setNamespace(namespace);
      }
      if (o instanceof GenericKubernetesResource g) {
        generic(client, g).inNamespace(namespace).resource(g).create();
      } else {
        client.resource(o).inNamespace(namespace).create();
      }
    }
    return items;
  }

  public static List<HasMetadata> applyFile(KubernetesClient client, Path file, String namespace) throws IOException {
    return apply(client, Files.readString(file), namespace);
  }

  public static io.fabric8.kubernetes.client.dsl.MixedOperation<GenericKubernetesResource, io.fabric8.kubernetes.api.model.GenericKubernetesResourceList,
      io.fabric8.kubernetes.client.dsl.Resource<GenericKubernetesResource>> generic(KubernetesClient client, GenericKubernetesResource g) {
    var group = g.getApiVersion().substring(0, g.getApiVersion().indexOf('/'));
    var version = g.getApiVersion().substring(g.getApiVersion().indexOf('/') + 1);
    var kind = Kinds.byGroupKind(group, g.getKind());
    var ctx = new ResourceDefinitionContext.Builder().withGroup(group).withVersion(version).withKind(g.getKind())
        .withPlural(kind.plural()).withNamespaced(true).build();
    return client.genericKubernetesResources(ctx);
  }

  /** What the scheduler and kubelet would do for one replica: a running, ready pod with an IP. */
  public static Pod runPod(KubernetesClient client, Deployment d, String name, String ip) {
    var t = d.getSpec().getTemplate();
    var pod = new PodBuilder()
        .withNewMetadata().withName(name).withNamespace(d.getMetadata().getNamespace()).withLabels(t.getMetadata().getLabels()).endMetadata()
        .withSpec(t.getSpec())
        .withNewStatus().withPhase("Running").withPodIP(ip)
          .addNewCondition().withType("Ready").withStatus("True").endCondition()
        .endStatus()
        .build();
    return client.pods().inNamespace(d.getMetadata().getNamespace()).resource(pod).create();
  }

  public static void await(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting until " + what);
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }
}
