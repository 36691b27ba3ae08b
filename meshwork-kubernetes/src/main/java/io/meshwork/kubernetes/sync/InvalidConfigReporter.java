package io.meshwork.kubernetes.sync;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.logging.Logger;

/**
 * Tells the user that an object was left out, where {@code kubectl describe} and
 * {@code kubectl get events} show it: a Warning Event with reason {@value #REASON} on the object,
 * listing every field error. Reporting is best effort; a failure is logged, never thrown.
 */
public final class InvalidConfigReporter {
  private static final Logger LOG = Logger.getLogger(InvalidConfigReporter.class.getName());
  public static final String REASON = "InvalidMeshConfig";
  private static final int MAX_MESSAGE = 1024;

  private final KubernetesClient client;

  public InvalidConfigReporter(KubernetesClient client) {
    this.client = client;
  }

  public void report(HasMetadata obj, List<String> errors) {
    var ns = obj.getMetadata().getNamespace() == null ? "default" : obj.getMetadata().getNamespace();
    var message = "ignored by Meshwork: " + String.join("; ", errors);
    if (message.length() > MAX_MESSAGE) {
      message = message.substring(0, MAX_MESSAGE - 3) + "...";
    }
    var now = Instant.now().toString();
    var event = new EventBuilder()
        .withNewMetadata().withNamespace(ns)
          .withName(obj.getMetadata().getName() + "." + Long.toHexString(System.nanoTime()).toLowerCase(Locale.ROOT))
        .endMetadata()
        .withInvolvedObject(new ObjectReferenceBuilder().withApiVersion(obj.getApiVersion()).withKind(obj.getKind())
            .withNamespace(ns).withName(obj.getMetadata().getName()).withUid(obj.getMetadata().getUid())
            .withResourceVersion(obj.getMetadata().getResourceVersion()).build())
        .withType("Warning").withReason(REASON).withMessage(message)
        .withNewSource().withComponent("meshwork-control").endSource()
        .withFirstTimestamp(now).withLastTimestamp(now).withCount(1)
        .build();
    try {
      client.v1().events().inNamespace(ns).resource(event).create();
    } catch (KubernetesClientException e) {
      LOG.warning("could not record an event for " + obj.getKind() + "/" + ns + "/" + obj.getMetadata().getName() + ": " + e.getMessage());
    }
  }
}
