package io.meshwork.kubernetes.install;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Applies or deletes the rendered objects one by one, in order, reporting each ("created" /
 * "configured" / "deleted" / "not found"). Create-or-update rather than server-side apply keeps it
 * working on every API server version the client supports. Uninstall keeps the CRDs (deleting a CRD
 * deletes every user resource of that kind) unless {@code purge} is set, as {@code istioctl uninstall}
 * does.
 */
public final class Installer {
  private final KubernetesClient client;
  private final Consumer<String> progress;

  public Installer(KubernetesClient client, Consumer<String> progress) {
    this.client = client;
    this.progress = progress;
  }

  public void apply(List<HasMetadata> objects) {
    for (var o : objects) {
      var existing = client.resource(o).get();
      client.resource(o).createOr(NonDeletingOperation::update);
      progress.accept(title(o) + (existing == null ? " created" : " configured"));
    }
  }

  public void delete(List<HasMetadata> objects, boolean purge) {
    var reversed = new ArrayList<>(objects);
    java.util.Collections.reverse(reversed);
    for (var o : reversed) {
      if (o instanceof CustomResourceDefinition && !purge) {
        progress.accept(title(o) + " kept (pass --purge to delete the CRDs and every resource of their kinds)");
        continue;
      }
      var deleted = client.resource(o).delete();
      progress.accept(title(o) + (deleted.isEmpty() ? " not found" : " deleted"));
    }
  }

  static String title(HasMetadata o) {
    var ns = o.getMetadata().getNamespace();
    return o.getKind().toLowerCase(java.util.Locale.ROOT) + "/" + o.getMetadata().getName() + (ns == null ? "" : " -n " + ns);
  }
}
