package io.meshwork.kubernetes.sync;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.meshwork.config.ResourceKey;
import io.meshwork.config.codec.ConfigLoader;
import io.meshwork.config.codec.LoadedDocument;
import io.meshwork.config.codec.SourceDocument;
import io.meshwork.control.store.ConfigStore;
import io.meshwork.kubernetes.install.Crds;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

/**
 * Mirrors the cluster into the store, object by object (owner {@value #OWNER}). Each add or update
 * is converted to the model's JSON, validated by {@link ConfigLoader} and written on its own, so one
 * bad VirtualService cannot block anything else: it is reported ({@link InvalidConfigReporter}) and
 * its previous version is withdrawn, since what the user asked for is not what would be served.
 * Services without a selector take their endpoints from EndpointSlices ({@link SelectorlessServices});
 * of Secrets only gateway credentials are stored ({@code kubernetes.io/tls}, and the credential keys of
 * {@code Opaque} ones in Istio's generic form), for gateways' credentialName ({@link TlsSecrets}).
 */
public final class KubeConfigSync implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(KubeConfigSync.class.getName());
  public static final String OWNER = "kubernetes";

  private final KubernetesClient client;
  private final ConfigStore store;
  private final InvalidConfigReporter reporter;
  private final ConfigLoader loader = ConfigLoader.create();
  private final List<SharedIndexInformer<?>> informers = new ArrayList<>();
  /** The handler of each informer, by position in {@link #informers}. */
  private final List<Delivered<?>> delivered = new ArrayList<>();
  private final Map<ResourceKey, List<String>> rejected = new ConcurrentHashMap<>();
  private final SelectorlessServices selectorless;

  public KubeConfigSync(KubernetesClient client, ConfigStore store) {
    this.client = client;
    this.store = store;
    this.reporter = new InvalidConfigReporter(client);
    this.selectorless = new SelectorlessServices(this);
  }

  /**
   * Starts the informers and waits until each has listed its kind once and its handler has applied
   * that list to the store (so a proxy connecting right after sees the whole cluster).
   */
  public KubeConfigSync start(Duration timeout) {
    add(h -> client.namespaces().inform(h, 0), this.<io.fabric8.kubernetes.api.model.Namespace>handler());
    add(h -> client.serviceAccounts().inAnyNamespace().inform(h, 0), this.<io.fabric8.kubernetes.api.model.ServiceAccount>handler());
    add(h -> client.services().inAnyNamespace().inform(h, 0), new ServiceHandler());
    add(h -> client.pods().inAnyNamespace().inform(h, 0), this.<io.fabric8.kubernetes.api.model.Pod>handler());
    add(h -> client.discovery().v1().endpointSlices().inAnyNamespace().inform(h, 0), new SliceHandler());
    for (var type : TlsSecrets.TYPES) { // kubernetes.io/tls and Opaque, for Gateway tls.credentialName
      add(h -> TlsSecrets.inform(client, type, h), new TlsSecrets(this, type));
    }
    for (var k : Crds.kinds()) {
      var ctx = new ResourceDefinitionContext.Builder().withGroup(k.group()).withVersion(k.versions().getFirst())
          .withKind(k.kind()).withPlural(k.plural()).withNamespaced(k.namespaced()).build();
      add(h -> client.genericKubernetesResources(ctx).inAnyNamespace().inform(h, 0), this.<GenericKubernetesResource>handler());
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    for (int n = 0; n < informers.size(); n++) {
      var i = informers.get(n);
      var d = delivered.get(n);
      // Objects deleted between the list and this check leave the cache but were added: adds only grow.
      while (!i.hasSynced() || d.adds() < i.getStore().list().size()) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("the Kubernetes informers did not sync within " + timeout.toSeconds()
              + " s; check that the API server is reachable and that the meshwork-control ClusterRole is installed");
        }
        try {
          Thread.sleep(20);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while waiting for the informers", e);
        }
      }
    }
    return this;
  }

  private <T> void add(java.util.function.Function<ResourceEventHandler<T>, SharedIndexInformer<T>> inform,
      ResourceEventHandler<T> handler) {
    var d = new Delivered<>(handler);
    informers.add(inform.apply(d));
    delivered.add(d);
  }

  /** Objects left out because they are invalid, with their errors. */
  public Map<ResourceKey, List<String>> rejected() {
    return Map.copyOf(rejected);
  }


  /** Converts, validates and stores one object; reports it when invalid. */
  void upsert(HasMetadata obj) {
    upsertTree(obj, tree(obj));
  }

  /** The cluster object as the model's JSON. */
  ObjectNode tree(HasMetadata obj) {
    try {
      return (ObjectNode) ConfigLoader.JSON.readTree(client.getKubernetesSerialization().asJson(obj));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Stores {@code tree} (the model's JSON); {@code obj} is the cluster object an error is reported on. */
  void upsertTree(HasMetadata obj, ObjectNode tree) {
    var meta = (ObjectNode) tree.path("metadata");
    meta.remove(List.of("managedFields", "resourceVersion", "selfLink", "deletionGracePeriodSeconds", "deletionTimestamp"));
    var title = tree.path("kind").asText() + "/" + obj.getMetadata().getNamespace() + "/" + obj.getMetadata().getName();
    if (tree.path("apiVersion").asText().contains(".istio.io/")) {
      tree.remove("status"); // written by controllers (us included), not part of the user's config
    }
    var doc = loader.loadTree(new SourceDocument("kubernetes " + title, 0, 1, ""), tree);
    var key = keyOf(doc, tree);
    if (!doc.valid()) {
      rejected.put(key, doc.errors());
      LOG.warning("skipping invalid " + title + ": " + String.join("; ", doc.errors()));
      store.delete(List.of(key));
      reporter.report(obj, doc.errors());
      return;
    }
    rejected.remove(key);
    var r = store.apply(OWNER, List.of(doc));
    if (!r.ok()) {
      LOG.warning("the store refused " + title + ": " + String.join("; ", r.errors()));
    }
  }

  void remove(HasMetadata obj, String group, String kind) {
    var ns = obj.getMetadata().getNamespace() == null ? "" : obj.getMetadata().getNamespace();
    var key = new ResourceKey(group, kind, ns, obj.getMetadata().getName());
    rejected.remove(key);
    store.delete(List.of(key));
  }

  private static ResourceKey keyOf(LoadedDocument doc, ObjectNode tree) {
    var apiVersion = tree.path("apiVersion").asText();
    var group = apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : "";
    var kindName = tree.path("kind").asText();
    var kind = io.meshwork.config.Kinds.byGroupKind(group, kindName);
    var ns = kind == null || kind.namespaced() ? (doc.namespace() == null ? "" : doc.namespace()) : "";
    return new ResourceKey(group, kindName, ns, tree.path("metadata").path("name").asText());
  }

  static String groupOf(HasMetadata obj) {
    var v = obj.getApiVersion();
    return v.contains("/") ? v.substring(0, v.indexOf('/')) : "";
  }

  private <T extends HasMetadata> ResourceEventHandler<T> handler() {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(T obj) {
        safely(() -> upsert(obj));
      }

      @Override
      public void onUpdate(T oldObj, T newObj) {
        safely(() -> upsert(newObj));
      }

      @Override
      public void onDelete(T obj, boolean deletedFinalStateUnknown) {
        safely(() -> remove(obj, groupOf(obj), obj.getKind()));
      }
    };
  }

  /** A failure on one object is logged and never stops the informer's thread. */
  static void safely(Runnable r) {
    try {
      r.run();
    } catch (RuntimeException e) {
      LOG.log(java.util.logging.Level.WARNING, "a Kubernetes event could not be applied", e);
    }
  }

  /** Services with a selector go to the store as they are; selector-less ones become ServiceEntries. */
  private final class ServiceHandler implements ResourceEventHandler<Service> {
    @Override
    public void onAdd(Service s) {
      safely(() -> selectorless.serviceChanged(s));
    }

    @Override
    public void onUpdate(Service o, Service s) {
      safely(() -> selectorless.serviceChanged(s));
    }

    @Override
    public void onDelete(Service s, boolean unknown) {
      safely(() -> selectorless.serviceDeleted(s));
    }
  }

  private final class SliceHandler implements ResourceEventHandler<EndpointSlice> {
    @Override
    public void onAdd(EndpointSlice s) {
      safely(() -> selectorless.sliceChanged(s, false));
    }

    @Override
    public void onUpdate(EndpointSlice o, EndpointSlice s) {
      safely(() -> selectorless.sliceChanged(s, false));
    }

    @Override
    public void onDelete(EndpointSlice s, boolean unknown) {
      safely(() -> selectorless.sliceChanged(s, true));
    }
  }

  @Override
  public void close() {
    informers.forEach(SharedIndexInformer::close);
  }
}
