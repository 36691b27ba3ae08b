package io.meshwork.proxy.accesslog;

/**
 * The values of one access log line. Absent values are null (printed as "-"); {@code responseCode}
 * is 0 when no response was sent (Envoy prints 0 too). {@code details} feeds custom formats and filters.
 */
public record AccessLogEntry(long startMillis, String method, String path, String protocol, int responseCode,
    String responseFlags, long bytesReceived, long bytesSent, long durationMillis, Long upstreamServiceTimeMillis,
    String forwardedFor, String userAgent, String requestId, String authority, String upstreamHost,
    AccessLogDetails details) {
  /** An entry with no headers or addresses beyond the default line's (TCP). */
  public AccessLogEntry(long startMillis, String method, String path, String protocol, int responseCode,
      String responseFlags, long bytesReceived, long bytesSent, long durationMillis, Long upstreamServiceTimeMillis,
      String forwardedFor, String userAgent, String requestId, String authority, String upstreamHost) {
    this(startMillis, method, path, protocol, responseCode, responseFlags, bytesReceived, bytesSent, durationMillis,
        upstreamServiceTimeMillis, forwardedFor, userAgent, requestId, authority, upstreamHost, AccessLogDetails.NONE);
  }
}
