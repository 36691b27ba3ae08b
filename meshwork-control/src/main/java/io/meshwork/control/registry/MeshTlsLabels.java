package io.meshwork.control.registry;

import java.util.Map;

/**
 * Workload labels that tell a client proxy whether (and where) an endpoint terminates mTLS.
 * {@code security.istio.io/tlsMode: istio} is Istio's own marker for workloads with a sidecar;
 * {@code inbound.meshwork.io/<appPort>: <port>} is Meshwork's local-mode addition: without
 * traffic capture the sidecar listens on its own port next to the app's, so an endpoint's port is
 * rewritten to it.
 */
public final class MeshTlsLabels {
  public static final String TLS_MODE = "security.istio.io/tlsMode";
  public static final String ISTIO = "istio";
  public static final String INBOUND_PREFIX = "inbound.meshwork.io/";

  private MeshTlsLabels() {}

  /** Whether the workload with these labels has a sidecar that accepts Istio mTLS. */
  public static boolean istioMtls(Map<String, String> labels) {
    return ISTIO.equals(labels.get(TLS_MODE));
  }

  /** The sidecar port in front of {@code appPort}, or {@code appPort} when the labels name none. */
  public static int inboundPort(Map<String, String> labels, int appPort) {
    var v = labels.get(INBOUND_PREFIX + appPort);
    if (v == null) {
      return appPort;
    }
    try {
      return Integer.parseInt(v);
    } catch (NumberFormatException e) {
      return appPort;
    }
  }
}
