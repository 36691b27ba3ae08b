package io.meshwork.control.registry;

import java.util.Locale;

/**
 * One port of a service.
 *
 * @param name the port name ({@code http}, {@code grpc-web}); may be empty
 * @param number the service port
 * @param protocol upper case ({@code HTTP}, {@code GRPC}, {@code TCP}, ...)
 * @param targetPort the workload port number, or 0 when given by name or absent
 * @param targetName the workload port name when the target is named, else null
 */
public record ServicePortInfo(String name, int number, String protocol, int targetPort, String targetName) {
  /**
   * The protocol of a port whose name has no protocol prefix and that has no explicit protocol or
   * appProtocol (Istio's {@code UnsupportedProtocol}): the proxy sniffs each connection, HTTP or TCP.
   */
  public static final String AUTO = "AUTO";

  /** Whether connections to this port are sniffed ({@link #AUTO}). */
  public boolean isAuto() {
    return AUTO.equals(protocol);
  }

  /**
   * As {@link #protocolOf}, but a name without a known protocol prefix (or no name) gives {@link #AUTO},
   * as Istio decides which ports to sniff. The registry uses this; {@link #protocolOf} keeps its
   * HTTP fallback for places that need a concrete protocol (a generated ServiceEntry's field).
   */
  public static String protocolOrAuto(String explicit, String name) {
    if (explicit != null && !explicit.isEmpty()) {
      return normalise(explicit);
    }
    if (name == null || name.isEmpty() || !KNOWN_PREFIXES.contains(normalise(name.split("-", 2)[0]))) {
      return AUTO;
    }
    return protocolOf(null, name);
  }

  private static final java.util.Set<String> KNOWN_PREFIXES =
      java.util.Set.of("HTTP", "HTTP2", "GRPC", "GRPC-WEB", "TCP", "TLS", "HTTPS", "MONGO", "MYSQL", "REDIS");

  /** Whether the port carries HTTP (HTTP/1.1, h2, gRPC) and gets HTTP routes. */
  public boolean isHttp() {
    return switch (protocol) {
      case "HTTP", "HTTP2", "GRPC", "GRPC-WEB", "HTTP_PROXY" -> true;
      default -> false;
    };
  }

  /**
   * Istio's protocol selection: explicit protocol or appProtocol, else the port name's prefix
   * ({@code http-foo}); unknown names are treated as HTTP, which Istio would sniff.
   */
  public static String protocolOf(String explicit, String name) {
    if (explicit != null && !explicit.isEmpty()) {
      return normalise(explicit);
    }
    if (name == null || name.isEmpty()) {
      return "HTTP";
    }
    var prefix = name.split("-", 2)[0];
    var p = normalise(prefix);
    return switch (p) {
      case "HTTP", "HTTP2", "GRPC", "GRPC-WEB", "TCP", "TLS", "HTTPS", "MONGO", "MYSQL", "REDIS" -> p;
      default -> "HTTP";
    };
  }

  private static String normalise(String p) {
    var u = p.toUpperCase(Locale.ROOT);
    return switch (u) {
      case "H2", "H2C", "KUBERNETES.IO/H2C" -> "HTTP2";
      default -> u;
    };
  }
}
