package io.meshwork.xds.client;

/**
 * Receives each complete snapshot (on the client's own thread, one at a time) and decides: accept,
 * and the client ACKs what it received; reject with a reason, and the client NACKs with that
 * reason and keeps the last accepted snapshot as its state.
 */
@FunctionalInterface
public interface XdsHandler {
  Verdict apply(XdsSnapshot snapshot);

  /** The caller's answer to a snapshot. */
  record Verdict(boolean accepted, String reason) {
    public static final Verdict ACCEPT = new Verdict(true, "");

    public static Verdict reject(String reason) {
      return new Verdict(false, reason);
    }
  }
}
