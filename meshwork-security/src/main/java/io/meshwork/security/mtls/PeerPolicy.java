package io.meshwork.security.mtls;

import io.meshwork.config.Resource;
import io.meshwork.config.security.PeerAuthentication;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * One PeerAuthentication with what precedence needs: where it lives and when it was created
 * (the oldest wins among policies of the same level, as in Istio).
 *
 * @param created the creation timestamp, or null when unknown (local files): then names decide
 */
public record PeerPolicy(String namespace, String name, Instant created, PeerAuthentication spec) {
  /** From a loaded PeerAuthentication resource. */
  public static PeerPolicy of(Resource r) {
    Instant created = null;
    var ts = r.metadata().creationTimestamp();
    if (ts != null && ts.isTextual()) {
      try {
        created = Instant.parse(ts.asText());
      } catch (DateTimeParseException e) {
        created = null;
      }
    }
    return new PeerPolicy(r.namespace(), r.name(), created, r.spec(PeerAuthentication.class));
  }

  boolean namespaceWide() {
    return spec.selector() == null || spec.selector().matchLabels().isEmpty();
  }
}
