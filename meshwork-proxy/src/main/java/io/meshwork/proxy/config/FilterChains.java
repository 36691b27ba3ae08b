package io.meshwork.proxy.config;

import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Builds a listener with several {@code filter_chains} (or a {@code default_filter_chain}): each
 * chain becomes a listener of its own ({@code LISTENER#INDEX}, the default chain
 * {@code LISTENER#default}) and a {@link FilterChainSelector} picks one per connection. Two chains
 * with the same match are refused, as Envoy does, since either choice would be arbitrary.
 */
final class FilterChains {
  private FilterChains() {}

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
    var selector = new FilterChainSelector(entries, fallback, l.hasListenerFiltersTimeout()
        ? Protos.duration(l.getListenerFiltersTimeout()) : java.time.Duration.ofSeconds(15));
    var first = selector.chains().getFirst();
    return new ListenerConfig(l.getName(), addr, null, first.protocol(), selector);
  }
}
