package io.meshwork.proxy.http;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * Local replies to gRPC requests ({@code content-type: application/grpc...}) are sent the way gRPC
 * clients understand them, as Envoy does: HTTP 200, "trailers-only", with {@code grpc-status}
 * mapped from the HTTP status and the reply text in {@code grpc-message}.
 */
final class GrpcStatus {
  private GrpcStatus() {}

  static boolean isGrpc(String contentType) {
    return contentType != null && contentType.regionMatches(true, 0, "application/grpc", 0, 16);
  }

  /** The gRPC status code for an HTTP status (gRPC's HTTP-to-gRPC mapping, as used by Envoy). */
  static int fromHttp(int http) {
    return switch (http) {
      case 400 -> 13; // INTERNAL
      case 401 -> 16; // UNAUTHENTICATED
      case 403 -> 7; // PERMISSION_DENIED
      case 404 -> 12; // UNIMPLEMENTED
      case 429, 502, 503, 504 -> 14; // UNAVAILABLE
      default -> 2; // UNKNOWN
    };
  }

  /** {@code grpc-message} is percent-encoded (RFC 3986 unreserved characters and space kept readable). */
  static String message(String text) {
    return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
