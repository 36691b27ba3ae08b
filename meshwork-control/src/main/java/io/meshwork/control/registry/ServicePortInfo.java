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
