package io.meshwork.control.xds;

import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * What one stream knows about one resource type: the subscription, what was last sent (version,
 * nonce, each resource's hash) and how the proxy answered. Guarded by its connection's lock.
 */
final class TypeState {
  final String typeUrl;
  final Set<String> names = new LinkedHashSet<>();
  boolean wildcard;
  boolean requested;
  String sentVersion = "";
  String sentNonce = "";
  String ackedVersion = "";
  String nackError = "";
  String nackVersion = "";
  /**
   * The resources map (of the proxy's translation) that {@link #sent} was last brought up to date
   * with; a push whose map is known to hold the same content
   * ({@link io.meshwork.control.translate.Layered#sameContent}) has nothing to compare or send.
   */
  Map<String, ?> evaluated;
  /** Hash of each resource the proxy holds (as far as the server knows). */
  final Map<String, String> sent = new HashMap<>();

  TypeState(String typeUrl) {
    this.typeUrl = typeUrl;
  }

  boolean subscribed(String name) {
    return wildcard || names.contains(name);
  }

  /** {@code SYNCED}, {@code STALE} (sent, not yet acknowledged), {@code NACKED}, or {@code NOT SENT}. */
  String status() {
    if (sentNonce.isEmpty()) {
      return "NOT SENT";
    }
    if (!nackError.isEmpty() && nackVersion.equals(sentVersion)) {
      return "NACKED";
    }
    return ackedVersion.equals(sentVersion) ? "SYNCED" : "STALE";
  }
}
