package io.meshwork.proxy.config;

import java.util.Set;

/**
 * One filter chain of a {@link ListenerConfig.Chains} listener: what it matches and what serves it.
 *
 * @param transportProtocol {@code filter_chain_match.transport_protocol} ({@code tls}, {@code raw_buffer}; empty: any)
 * @param applicationProtocols {@code filter_chain_match.application_protocols} (empty: any)
 * @param chain the chain as a listener of its own, named {@code LISTENER#INDEX}, with the listener's
 *     address, the chain's TLS and its network filters
 */
public record FilterChainConfig(String transportProtocol, Set<String> applicationProtocols, ListenerConfig chain) {
  public FilterChainConfig {
    applicationProtocols = Set.copyOf(applicationProtocols);
  }
}
