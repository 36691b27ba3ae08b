package io.meshwork.proxy.config;

import java.net.InetSocketAddress;
import java.util.List;

/**
 * What a listener knows about a new connection when it picks a filter chain, in the order Envoy
 * consults it: the (original) destination, the SNI and transport protocol the TLS inspector found,
 * and the application protocols (ALPN offered in a TLS ClientHello; for plaintext, what an HTTP
 * inspector detected, empty when none ran).
 *
 * @param serverName the SNI, lower case; null when the connection is not TLS or sent none
 * @param transportProtocol {@code tls} or {@code raw_buffer}; empty when nobody inspected the bytes
 */
public record ConnectionFacts(InetSocketAddress destination, String serverName, String transportProtocol,
    List<String> applicationProtocols) {
  public ConnectionFacts {
    transportProtocol = transportProtocol == null ? "" : transportProtocol;
    applicationProtocols = applicationProtocols == null ? List.of() : List.copyOf(applicationProtocols);
  }

  /** A connection of which only the destination is known (no chain asks for inspected facts). */
  public static ConnectionFacts of(InetSocketAddress destination) {
    return new ConnectionFacts(destination, null, "", List.of());
  }
}
