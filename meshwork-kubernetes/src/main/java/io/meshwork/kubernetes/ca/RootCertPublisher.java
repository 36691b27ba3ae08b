package io.meshwork.kubernetes.ca;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.meshwork.kubernetes.inject.ProxyEnv;
import io.meshwork.kubernetes.install.Names;
import java.util.Map;
import java.util.logging.Logger;

/**
 * Keeps the ConfigMap {@value Names#ROOT_CERT_CONFIGMAP} with the mesh root in every namespace, as
 * istiod keeps {@code istio-ca-root-cert}: an injected proxy mounts it to verify the CA on 15012
 * before it sends its ServiceAccount token, so a pod can only talk to the real control plane.
 * Written when a namespace appears (and for every existing one at start); every replica writes the
 * same content, so concurrent writers agree. A ConfigMap deleted by hand comes back at the next
 * start of a replica (there is no ConfigMap watch).
 */
public final class RootCertPublisher implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(RootCertPublisher.class.getName());
  private final KubernetesClient client;
  private final String rootPem;
  private SharedIndexInformer<Namespace> informer;

  private RootCertPublisher(KubernetesClient client, String rootPem) {
    this.client = client;
    this.rootPem = rootPem;
  }

  /** Publishes {@code rootPem} into every namespace now and into each new one. */
  public static RootCertPublisher start(KubernetesClient client, String rootPem) {
    var p = new RootCertPublisher(client, rootPem);
    p.informer = client.namespaces().inform(new ResourceEventHandler<>() {
      @Override
      public void onAdd(Namespace ns) {
        p.publish(ns);
      }

      @Override
      public void onUpdate(Namespace before, Namespace after) {
        // Nothing to do: the root does not depend on the namespace's labels.
      }

      @Override
      public void onDelete(Namespace ns, boolean unknownFinalState) {
        // The ConfigMap goes with its namespace.
      }
    }, 0);
    return p;
  }

  /** The ConfigMap for {@code namespace}. */
  public static ConfigMap configMap(String namespace, String rootPem) {
    return new ConfigMapBuilder().withNewMetadata().withName(Names.ROOT_CERT_CONFIGMAP).withNamespace(namespace)
        .withLabels(Map.of(Names.PART_OF, Names.MESHWORK)).endMetadata()
        .withData(Map.of(ProxyEnv.ROOT_KEY, rootPem)).build();
  }

  private void publish(Namespace ns) {
    var name = ns.getMetadata().getName();
    if (ns.getStatus() != null && "Terminating".equals(ns.getStatus().getPhase())) {
      return;
    }
    var cms = client.configMaps().inNamespace(name);
    try {
      try {
        cms.resource(configMap(name, rootPem)).create();
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409) {
          throw e;
        }
        // Exists (another replica, or an earlier root): make its data ours without needing its resourceVersion.
        cms.withName(Names.ROOT_CERT_CONFIGMAP).patch(PatchContext.of(PatchType.JSON_MERGE),
            "{\"data\":{\"" + ProxyEnv.ROOT_KEY + "\":" + io.meshwork.config.codec.ConfigLoader.JSON.valueToTree(rootPem) + "}}");
      }
    } catch (KubernetesClientException e) {
      LOG.warning("cannot write ConfigMap " + name + "/" + Names.ROOT_CERT_CONFIGMAP + " (HTTP " + e.getCode()
          + "): injected pods in " + name + " will not start until it exists; check the meshwork-control ClusterRole (configmaps)");
    }
  }

  @Override
  public void close() {
    if (informer != null) {
      informer.close();
    }
  }
}
