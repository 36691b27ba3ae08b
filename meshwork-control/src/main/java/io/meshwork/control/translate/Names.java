package io.meshwork.control.translate;

/** Istio's names for generated resources, so that {@code proxy-config} reads like {@code istioctl proxy-config}. */
public final class Names {
  public static final String VIRTUAL_OUTBOUND = "virtualOutbound";
  public static final String VIRTUAL_INBOUND = "virtualInbound";
  public static final String PASSTHROUGH = "PassthroughCluster";
  public static final String BLACKHOLE = "BlackHoleCluster";
  public static final String INBOUND_PASSTHROUGH = "InboundPassthroughCluster";
  public static final int OUTBOUND_PORT = 15001;
  public static final int INBOUND_PORT = 15006;

  private Names() {}

  /** {@code outbound|9080|v2|reviews.default.svc.cluster.local}. */
  public static String outboundCluster(int port, String subset, String fqdn) {
    return "outbound|" + port + "|" + (subset == null ? "" : subset) + "|" + fqdn;
  }

  /** {@code inbound|9080||}. */
  public static String inboundCluster(int port) {
    return "inbound|" + port + "||";
  }

  /** {@code 0.0.0.0_9080}. */
  public static String listener(String ip, int port) {
    return ip + "_" + port;
  }

  /** The route config of a service-scoped listener (local-mode bind, proxyless gRPC): {@code host:port}. */
  public static String serviceRoute(String fqdn, int port) {
    return fqdn + ":" + port;
  }

  /** A gateway's route config for a server port: {@code http.8080}. */
  public static String gatewayRoute(int port) {
    return "http." + port;
  }
}
