package io.meshwork.kubernetes.webhook;

import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfiguration;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.meshwork.kubernetes.install.Names;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.function.Consumer;

/**
 * Writes the mesh root into the installed webhook configurations' {@code caBundle}, as istiod does,
 * so the API server trusts the webhook's certificate. Every replica does it at start; they share the
 * root, so the writes agree. A configuration that is not installed is reported, not an error
 * (the control plane also runs without webhooks).
 */
public final class CaBundles {
  private CaBundles() {}

  public static void set(KubernetesClient client, String rootPem, Consumer<String> progress) {
    var bundle = Base64.getEncoder().encodeToString(rootPem.getBytes(StandardCharsets.UTF_8));
    var admission = client.admissionRegistration().v1();
    try {
      var m = admission.mutatingWebhookConfigurations().withName(Names.INJECTOR_WEBHOOK);
      if (m.get() == null) {
        progress.accept("no MutatingWebhookConfiguration " + Names.INJECTOR_WEBHOOK + " installed: pods are not injected (run meshwork install)");
      } else {
        m.edit((MutatingWebhookConfiguration c) -> {
          c.getWebhooks().forEach(w -> w.getClientConfig().setCaBundle(bundle));
          return c;
        });
      }
      var v = admission.validatingWebhookConfigurations().withName(Names.VALIDATOR_WEBHOOK);
      if (v.get() == null) {
        progress.accept("no ValidatingWebhookConfiguration " + Names.VALIDATOR_WEBHOOK + " installed: config is checked only by the informers");
      } else {
        v.edit((ValidatingWebhookConfiguration c) -> {
          c.getWebhooks().forEach(w -> w.getClientConfig().setCaBundle(bundle));
          return c;
        });
      }
    } catch (KubernetesClientException e) {
      progress.accept("could not set the webhooks' caBundle (HTTP " + e.getCode() + "): " + e.getMessage());
    }
  }
}
