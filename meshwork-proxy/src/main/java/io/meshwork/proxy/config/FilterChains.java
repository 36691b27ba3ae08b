package io.meshwork.proxy.config;

import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.FilterChainMatch;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.filters.listener.http_inspector.v3.HttpInspector;
import io.envoyproxy.envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Translates a listener with several filter chains (other than PERMISSIVE's tls/raw_buffer pair,
 * see {@link PermissiveChains}) or a {@code default_filter_chain} into {@link ListenerConfig.Chains}.
 * Of {@code filter_chain_match} Meshwork reads {@code transport_protocol} and
 * {@code application_protocols}; a chain that sets any other criterion is rejected with its path,
 * as are two chains with the same criteria (Envoy refuses those too). Of the listener filters it
 * runs {@code tls_inspector} and {@code http_inspector}; others (Istio's {@code original_dst}) have
 * no effect here: capture mode finds the original destination itself.
 */
final class FilterChains {
  static final String HTTP_INSPECTOR = "envoy.filters.listener.http_inspector";
  static final String TLS_INSPECTOR = "envoy.filters.listener.tls_inspector";

  private FilterChains() {}

  /** Whether {@code l} needs filter chain selection: several chains (not a PERMISSIVE pair), or a default chain. */
  static boolean applies(Listener l, boolean permissive) {
    return l.hasDefaultFilterChain() || l.getFilterChainsCount() > 1 && !permissive;
  }

  static ListenerConfig listener(Listener l, InetSocketAddress addr, String path, Set<String> clusters,
      Map<String, RouteConfiguration> rds) throws ConfigException {
    var chains = new ArrayList<FilterChainConfig>();
    var seen = new HashSet<List<Object>>();
    for (int i = 0; i < l.getFilterChainsCount(); i++) {
      var chain = l.getFilterChains(i);
      var chainPath = path + ".filter_chains[" + i + "]";
      var m = chain.getFilterChainMatch();
      checkSupported(m, chainPath + ".filter_chain_match");
      var protocols = Set.copyOf(m.getApplicationProtocolsList());
      if (!seen.add(List.of(m.getTransportProtocol(), protocols))) {
        throw new ConfigException(chainPath + ".filter_chain_match", "another filter chain of listener \"" + l.getName()
            + "\" has the same matching rules; make each chain's transport_protocol/application_protocols distinct");
      }
      var built = ProxyConfigBuilder.chain(l, l.getName() + "#" + i, addr, chain, chainPath, false, clusters, rds);
      chains.add(new FilterChainConfig(m.getTransportProtocol(), protocols, built));
    }
    ListenerConfig defaultChain = null;
    if (l.hasDefaultFilterChain()) {
      defaultChain = ProxyConfigBuilder.chain(l, l.getName() + "#default", addr, l.getDefaultFilterChain(),
          path + ".default_filter_chain", false, clusters, rds);
    }
    return new ListenerConfig(l.getName(), addr, null, new ListenerConfig.Chains(chains, defaultChain, filters(l)));
  }

  private static void checkSupported(FilterChainMatch m, String path) throws ConfigException {
    var other = m.toBuilder().clearTransportProtocol().clearApplicationProtocols().build();
    if (!other.equals(FilterChainMatch.getDefaultInstance())) {
      var field = other.getAllFields().keySet().iterator().next().getName();
      throw new ConfigException(path + "." + field, "is not supported yet on a listener with several filter chains;"
          + " match on transport_protocol and application_protocols only");
    }
  }

  /**
   * The inspectors to run. An inspector only runs where some chain needs what it finds (see
   * ListenerChainSelector), so a {@code filter_disabled} matcher (Istio's, per port) is not needed and not read.
   */
  private static ListenerFilters filters(Listener l) {
    boolean tls = false;
    boolean http = false;
    for (int i = 0; i < l.getListenerFiltersCount(); i++) {
      var f = l.getListenerFilters(i);
      var any = f.getTypedConfig();
      if (any.is(HttpInspector.class) || !f.hasTypedConfig() && f.getName().equals(HTTP_INSPECTOR)) {
        http = true;
      } else if (any.is(TlsInspector.class) || !f.hasTypedConfig() && f.getName().equals(TLS_INSPECTOR)) {
        tls = true;
      }
    }
    var timeout = l.hasListenerFiltersTimeout() ? Protos.duration(l.getListenerFiltersTimeout()) : ListenerFilters.DEFAULT_TIMEOUT;
    return new ListenerFilters(tls, http, timeout, l.getContinueOnListenerFiltersTimeout());
  }
}
