package io.meshwork.proxy.config;

import java.net.InetSocketAddress;

/**
 * A listener: name, bind address, optional TLS ({@code null}: plaintext), and the one network
 * filter that serves its connections. A listener with several filter chains also has
 * {@code chains} (null otherwise): each chain is then a listener of its own, chosen per connection,
 * and {@code tls}/{@code protocol} are those of its first chain.
 */
public record ListenerConfig(String name, InetSocketAddress address, TlsConfig tls, Protocol protocol,
    FilterChainSelector chains) {
  /** A listener with one filter chain. */
  public ListenerConfig(String name, InetSocketAddress address, TlsConfig tls, Protocol protocol) {
    this(name, address, tls, protocol, null);
  }

  /** This listener and, when it has several filter chains, each chain's listener. */
  public java.util.List<ListenerConfig> withChains() {
    if (chains == null) {
      return java.util.List.of(this);
    }
    var out = new java.util.ArrayList<ListenerConfig>();
    out.add(this);
    out.addAll(chains.chains());
    return out;
  }

  /** The listener or filter chain named {@code name} among {@code listeners}; null if none. */
  public static ListenerConfig named(java.util.List<ListenerConfig> listeners, String name) {
    for (var l : listeners) { // per accepted TCP connection: no allocation
      if (l.name().equals(name)) {
        return l;
      }
      if (l.chains() != null && name.startsWith(l.name())) {
        for (var c : l.chains().chains()) {
          if (c.name().equals(name)) {
            return c;
          }
        }
      }
    }
    return null;
  }

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
