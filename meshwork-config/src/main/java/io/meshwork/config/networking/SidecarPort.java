package io.meshwork.config.networking;

/**
 * The port of a Sidecar listener; number 0 means a {@code unix://} bind. {@code targetPort} is
 * deprecated and has no effect on sidecars; the listener checks it.
 */
public record SidecarPort(Long number, String protocol, String name, Long targetPort) {
  long numberOrZero() {
    return number == null ? 0 : number;
  }
}
