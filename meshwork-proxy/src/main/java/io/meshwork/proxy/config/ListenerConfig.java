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
   * Several filter chains chosen per connection by {@code filter_chain_match}
   * ({@code transport_protocol}, {@code application_protocols}), after the listener filters
   * ({@code tls_inspector}, {@code http_inspector}) have looked at the first bytes. Each chain is
   * served as a listener of its own ({@link FilterChainConfig#chain()}), so HTTP and TCP chains
   * keep their usual pipelines; {@code defaultChain} (Envoy's {@code default_filter_chain}) takes
   * connections no chain matches (null: they are closed).
   */
  public record Chains(java.util.List<FilterChainConfig> chains, ListenerConfig defaultChain, ListenerFilters filters)
      implements Protocol {
    public Chains {
      chains = java.util.List.copyOf(chains);
    }

    /** Every chain's listener, the default one included. */
    public java.util.List<ListenerConfig> listeners() {
      var out = new java.util.ArrayList<ListenerConfig>();
      chains.forEach(c -> out.add(c.chain()));
      if (defaultChain != null) {
        out.add(defaultChain);
      }
      return out;
    }

    /**
     * Envoy's filter chain selection on the two criteria Meshwork reads: the chains whose
     * {@code transport_protocol} equals {@code transport} win over those that leave it empty; among
     * them, the chains listing one of {@code applicationProtocols} win over those that list none.
     * Returns the default chain (or null) when nothing matches.
     */
    public ListenerConfig select(String transport, java.util.Collection<String> applicationProtocols) {
      var byTransport = narrowest(chains, c -> c.transportProtocol().isEmpty(), c -> c.transportProtocol().equals(transport));
      var byProtocol = narrowest(byTransport, c -> c.applicationProtocols().isEmpty(),
          c -> applicationProtocols.stream().anyMatch(c.applicationProtocols()::contains));
      return byProtocol.isEmpty() ? defaultChain : byProtocol.getFirst().chain();
    }

    private static java.util.List<FilterChainConfig> narrowest(java.util.List<FilterChainConfig> in,
        java.util.function.Predicate<FilterChainConfig> wildcard, java.util.function.Predicate<FilterChainConfig> exact) {
      var matched = in.stream().filter(exact).toList();
      return matched.isEmpty() ? in.stream().filter(wildcard).toList() : matched;
    }
  }

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
