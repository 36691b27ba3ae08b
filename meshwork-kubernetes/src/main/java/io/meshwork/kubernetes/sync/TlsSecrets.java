package io.meshwork.kubernetes.sync;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;

/**
 * Copies the cluster's {@code kubernetes.io/tls} Secrets into the store, where the control plane serves
 * them over SDS to the gateways that name them with {@code tls.credentialName} (istiod reads Secrets for
 * the same reason). Only that type is ever read: the watch asks the API server for it with a field
 * selector, so other Secrets (service-account tokens, the CA key, applications' passwords) never leave
 * the API server, and the handler checks the type again in case a server ignores the selector.
 *
 * <p>kubectl's {@code last-applied-configuration} annotation is dropped before storing: it repeats the
 * whole Secret, key included, and the store's display views redact only {@code tls.key} itself.
 */
final class TlsSecrets implements ResourceEventHandler<Secret> {
  static final String TYPE_FIELD = "type";
  static final String LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

  private final KubeConfigSync sync;

  private TlsSecrets(KubeConfigSync sync) {
    this.sync = sync;
  }

  /** Starts the informer on TLS Secrets of every namespace. */
  static SharedIndexInformer<Secret> inform(KubernetesClient client, KubeConfigSync sync) {
    return client.secrets().inAnyNamespace().withField(TYPE_FIELD, io.meshwork.config.kube.Secret.TLS)
        .inform(new TlsSecrets(sync), 0);
  }

  @Override
  public void onAdd(Secret s) {
    KubeConfigSync.safely(() -> changed(s));
  }

  @Override
  public void onUpdate(Secret old, Secret s) {
    KubeConfigSync.safely(() -> changed(s));
  }

  @Override
  public void onDelete(Secret s, boolean deletedFinalStateUnknown) {
    if (tls(s)) {
      KubeConfigSync.safely(() -> sync.remove(s, "", "Secret"));
    }
  }

  private static boolean tls(Secret s) {
    return io.meshwork.config.kube.Secret.TLS.equals(s.getType());
  }

  private void changed(Secret s) {
    if (!tls(s)) {
      return; // only from a server that ignored the field selector; never stored
    }
    ObjectNode tree = sync.tree(s);
    if (tree.path("metadata").path("annotations") instanceof ObjectNode annotations) {
      annotations.remove(LAST_APPLIED);
    }
    sync.upsertTree(s, tree);
  }
}
