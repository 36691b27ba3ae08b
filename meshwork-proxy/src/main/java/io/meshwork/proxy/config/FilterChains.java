package io.meshwork.proxy.config;

import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.filters.listener.http_inspector.v3.HttpInspector;
import io.envoyproxy.envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Builds a listener with several {@code filter_chains} (or a {@code default_filter_chain}): each
 * chain becomes a listener of its own ({@code LISTENER#INDEX}, the default chain
 * {@code LISTENER#default}) and a {@link FilterChainSelector} picks one per connection. Two chains
 * with the same match are refused, as Envoy does, since either choice would be arbitrary. Of the
 * listener filters it reads {@code tls_inspector} and {@code http_inspector} (see
 * {@link ListenerFilters}); others (Istio's {@code original_dst}) have no effect here: capture mode
 * finds the original destination itself.
 */
final class FilterChains {
  static final String HTTP_INSPECTOR = "envoy.filters.listener.http_inspector";
  static final String TLS_INSPECTOR = "envoy.filters.listener.tls_inspector";

  private FilterChains() {}

  /**
   * Whether {@code l} needs filter chain selection: not one chain (several, or none but a default
   * chain), or a default chain, or one chain limited to server_names (as in Envoy, a connection whose
   * SNI it does not name has no chain: a gateway whose other servers lost their Secret must not
   * answer their SNI with this chain's certificate); PERMISSIVE's tls/raw_buffer pair keeps its own path.
   */
  static boolean applies(Listener l, boolean permissive) {
    return !permissive && (l.getFilterChainsCount() != 1 || l.hasDefaultFilterChain()
        || l.getFilterChains(0).getFilterChainMatch().getServerNamesCount() > 0);
  }

  static ListenerConfig listener(Listener l, InetSocketAddress addr, String path, Set<String> clusters,
      Map<String, RouteConfiguration> rds) throws ConfigException {
    if (l.getFilterChainsCount() == 0 && !l.hasDefaultFilterChain()) {
      throw new ConfigException(path + ".filter_chains", "a listener needs at least one filter chain");
    }
    var entries = new ArrayList<FilterChainSelector.Entry>();
    var seen = new HashMap<FilterChainMatchSpec, Integer>();
    for (int i = 0; i < l.getFilterChainsCount(); i++) {
      var fc = l.getFilterChains(i);
      var chainPath = path + ".filter_chains[" + i + "]";
      var spec = FilterChainMatchSpec.of(fc.getFilterChainMatch(), chainPath + ".filter_chain_match");
      var other = seen.putIfAbsent(spec, i);
      if (other != null) {
        throw new ConfigException(chainPath + ".filter_chain_match", "matches the same connections as filter_chains["
            + other + "]; give each chain a distinct match (e.g. other server_names) or merge them");
      }
      entries.add(new FilterChainSelector.Entry(spec,
          ProxyConfigBuilder.chain(l, l.getName() + "#" + i, addr, fc, chainPath, false, clusters, rds)));
    }
    ListenerConfig fallback = null;
    if (l.hasDefaultFilterChain()) {
      fallback = ProxyConfigBuilder.chain(l, l.getName() + "#default", addr, l.getDefaultFilterChain(),
          path + ".default_filter_chain", false, clusters, rds);
    }
    var selector = new FilterChainSelector(entries, fallback, filters(l));
    var first = selector.chains().getFirst();
    return new ListenerConfig(l.getName(), addr, null, first.protocol(), selector);
  }

  /** The listener filters Meshwork runs, and how long they may wait for the client's first bytes. */
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
