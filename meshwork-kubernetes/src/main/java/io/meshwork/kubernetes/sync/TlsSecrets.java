package io.meshwork.kubernetes.sync;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.List;

/**
 * Copies the cluster's gateway credential Secrets into the store, where the control plane serves
 * them over SDS to the gateways that name them with {@code tls.credentialName} (istiod reads Secrets
 * for the same reason). Two forms are read, as istiod reads them: {@code kubernetes.io/tls}
 * ({@code tls.crt}, {@code tls.key}, {@code ca.crt}) and Istio's generic {@code Opaque} form
 * ({@code cert}, {@code key}, {@code cacert}; a separate {@code NAME-cacert} Secret may hold only the
 * CA). One informer per type asks the API server for that type with a field selector, so other
 * types (service-account tokens, Helm releases, docker configs) never leave the API server.
 *
 * <p>Opaque Secrets are also where applications keep passwords, so of those only the ones holding a
 * credential ({@link #credential}: a certificate with its key, or a CA bundle) are stored, and only
 * their credential keys ({@code cert}, {@code key}, {@code cacert}, {@code tls.crt}, {@code tls.key},
 * {@code ca.crt}): a database password in an Opaque Secret is seen
 * by the informer (RBAC and field selectors cannot narrow further, istiod's informer sees it too)
 * but never stored, validated, logged or served. An Opaque Secret that loses its credential keys is
 * withdrawn like a deleted one. The handler checks the type again in case a server ignores the
 * selector.
 *
 * <p>kubectl's {@code last-applied-configuration} annotation is dropped before storing: it repeats the
 * whole Secret, key included, and the store's display views redact only the key fields themselves.
 */
final class TlsSecrets implements ResourceEventHandler<Secret> {
  static final String TYPE_FIELD = "type";
  static final String OPAQUE = "Opaque";
  static final String LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

  private final KubeConfigSync sync;
  private final String type;

  TlsSecrets(KubeConfigSync sync, String type) {
    this.sync = sync;
    this.type = type;
  }

  /** The Secret types watched, one informer each: kubernetes.io/tls and Opaque. */
  static final List<String> TYPES = List.of(io.meshwork.config.kube.Secret.TLS, OPAQUE);

  /** Starts the informer on Secrets of {@code type} in every namespace, handled by {@code handler} (a {@code TlsSecrets}). */
  static SharedIndexInformer<Secret> inform(KubernetesClient client, String type, ResourceEventHandler<Secret> handler) {
    return client.secrets().inAnyNamespace().withField(TYPE_FIELD, type).inform(handler, 0);
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
    if (type.equals(s.getType())) {
      KubeConfigSync.safely(() -> sync.remove(s, "", "Secret"));
    }
  }

  /**
   * Whether an Opaque Secret with these keys is a gateway credential: a certificate with its key
   * ({@code cert}+{@code key}, or {@code tls.crt}+{@code tls.key}) or a CA bundle ({@code cacert},
   * {@code ca.crt}). An application's Secret that merely has a {@code key} (an API key, say) is not
   * one, so it is neither stored nor reported as an invalid certificate.
   */
  static boolean credential(java.util.Set<String> keys) {
    return keys.contains("cert") && keys.contains("key") || keys.contains("tls.crt") && keys.contains("tls.key")
        || keys.contains("cacert") || keys.contains("ca.crt");
  }

  private void changed(Secret s) {
    if (!type.equals(s.getType())) {
      return; // only from a server that ignored the field selector; never stored
    }
    ObjectNode tree = sync.tree(s);
    if (tree.path("metadata").path("annotations") instanceof ObjectNode annotations) {
      annotations.remove(LAST_APPLIED);
    }
    if (OPAQUE.equals(type)) {
      var keys = new java.util.HashSet<String>();
      for (var field : List.of("data", "stringData")) {
        if (tree.get(field) instanceof ObjectNode values) {
          values.retain(io.meshwork.config.kube.Secret.CREDENTIAL_KEYS);
          values.fieldNames().forEachRemaining(keys::add);
        }
      }
      if (!credential(keys)) {
        sync.remove(s, "", "Secret"); // not a gateway credential (or no longer one): never stored
        return;
      }
    }
    sync.upsertTree(s, tree);
  }
}
