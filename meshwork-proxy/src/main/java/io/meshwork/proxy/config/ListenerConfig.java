package io.meshwork.proxy.config;

import java.net.InetSocketAddress;

/**
 * A listener: name, bind address, optional TLS ({@code null}: plaintext), and the one network
 * filter that serves its connections.
 */
public record ListenerConfig(String name, InetSocketAddress address, TlsConfig tls, Protocol protocol) {
  /** The terminal network filter of the listener's filter chain. */
  public sealed interface Protocol {}

  /** {@code envoy.filters.network.http_connection_manager}. */
  public record Http(HttpConnectionManagerConfig hcm) implements Protocol {}

  /**
   * {@code envoy.filters.network.tcp_proxy}, preceded by {@code envoy.filters.network.rbac} filters
   * ({@code rbac}, in order; empty when none).
   */
  public record Tcp(TcpProxyConfig tcp, java.util.List<RbacConfig> rbac) implements Protocol {
    public Tcp {
      rbac = rbac == null ? java.util.List.of() : java.util.List.copyOf(rbac);
    }

    public Tcp(TcpProxyConfig tcp) {
      this(tcp, java.util.List.of());
    }
  }
}
