package io.meshwork.proxy.accesslog;

import java.net.SocketAddress;
import java.util.function.Function;

/**
 * What custom formats and filters can read beyond the default line: request and response headers
 * by lower-case name (null when absent), the upstream cluster and route, the downstream addresses
 * and whether the connection is mutual TLS. Read on the event loop that owns the exchange, before
 * the line is queued, so nothing here outlives the request.
 */
public record AccessLogDetails(Function<String, String> requestHeader, Function<String, String> responseHeader,
    String upstreamCluster, String routeName, SocketAddress downstreamRemote, SocketAddress downstreamLocal,
    boolean mtls, String sni) {
  /** For entries that have no such details (TCP connections today). */
  public static final AccessLogDetails NONE = new AccessLogDetails(n -> null, n -> null, null, null, null, null, false, null);
}
