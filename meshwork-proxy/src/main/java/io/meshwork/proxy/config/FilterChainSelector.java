package io.meshwork.proxy.config;

import java.util.ArrayList;
import java.util.List;
import java.util.function.ToIntBiFunction;

/**
 * Envoy's filter chain matching for a listener with several {@code filter_chains}. Criteria are
 * applied in Envoy's order: destination port, destination IP ({@code prefix_ranges}), server names
 * (SNI), transport protocol, application protocols. At each step only the chains with the most
 * specific match stay (a chain whose criterion is empty matches anything but loses to one that
 * names the connection's value); a chain that names other values drops out. No chain left: the
 * {@code default_filter_chain}, or none (the connection is closed).
 *
 * <p>Each chain is served as a listener of its own ({@link ListenerConfig} named
 * {@code LISTENER#INDEX}, or {@code LISTENER#NAME} when the chain has a name), with its own transport
 * socket: a TLS chain terminates with its own certificate, a chain without one passes the bytes on
 * untouched (TLS passthrough by SNI).
 *
 * <p>The facts come from the listener filters ({@link ListenerFilters}): the first TLS record gives
 * SNI, ALPN and transport {@code tls}; on a plaintext connection the {@code http_inspector}, when the
 * listener has it, gives {@code http/1.0}, {@code http/1.1} or {@code h2c} as application protocol
 * (protocol sniffing: HTTP and raw TCP on one port). A new criterion is one more
 * {@link ConnectionFacts} field and one more scoring function in {@link #STAGES}.
 */
public final class FilterChainSelector {
  /** One chain and its match. */
  public record Entry(FilterChainMatchSpec match, ListenerConfig chain) {}

  /** Envoy's order of criteria; each scores -1 (no), 0 (criterion empty), or more (more specific). */
  private static final List<ToIntBiFunction<FilterChainMatchSpec, ConnectionFacts>> STAGES = List.of(
      FilterChainMatchSpec::portScore,
      FilterChainMatchSpec::ipScore,
      FilterChainMatchSpec::serverNameScore,
      FilterChainMatchSpec::transportScore,
      FilterChainMatchSpec::applicationScore);

  private final List<Entry> entries;
  private final ListenerConfig defaultChain;
  private final boolean inspects;
  private final boolean sniffsHttp;
  private final ListenerFilters filters;

  FilterChainSelector(List<Entry> entries, ListenerConfig defaultChain) {
    this(entries, defaultChain, ListenerFilters.NONE);
  }

  /** @param filters the listener's inspectors, {@code listener_filters_timeout} and what to do when it passes */
  FilterChainSelector(List<Entry> entries, ListenerConfig defaultChain, ListenerFilters filters) {
    this.entries = List.copyOf(entries);
    this.defaultChain = defaultChain;
    this.inspects = entries.stream().anyMatch(e -> e.match().needsInspection());
    this.sniffsHttp = filters.httpInspector() && entries.stream().anyMatch(e -> !e.match().applicationProtocols().isEmpty());
    this.filters = filters;
  }

  /** How long a connection may take to send what the chain choice needs (first TLS record); zero: no limit. */
  public java.time.Duration inspectTimeout() {
    return filters.timeout();
  }

  /** The listener filters read from the listener (inspectors, timeout, continue on timeout). */
  public ListenerFilters filters() {
    return filters;
  }

  /**
   * Whether plaintext connections go through the {@code http_inspector}: the listener has it and
   * some chain lists application protocols (otherwise what it finds could not change the choice,
   * so a listener never waits for bytes it does not need).
   */
  public boolean sniffsHttp() {
    return sniffsHttp;
  }

  /** The same selector with each chain (and the default chain) replaced by {@code f}'s result. */
  public FilterChainSelector map(java.util.function.UnaryOperator<ListenerConfig> f) {
    var mapped = new ArrayList<Entry>(entries.size());
    for (var e : entries) {
      mapped.add(new Entry(e.match(), f.apply(e.chain())));
    }
    return new FilterChainSelector(mapped, defaultChain == null ? null : f.apply(defaultChain), filters);
  }

  /** The chain for a connection; null when none matches and there is no default chain. */
  public ListenerConfig select(ConnectionFacts facts) {
    List<Entry> left = entries;
    for (var stage : STAGES) {
      int best = -1;
      var kept = new ArrayList<Entry>(left.size());
      for (var e : left) {
        int score = stage.applyAsInt(e.match(), facts);
        if (score > best) {
          best = score;
          kept.clear();
        }
        if (score == best && score >= 0) {
          kept.add(e);
        }
      }
      if (kept.isEmpty()) {
        return defaultChain;
      }
      left = kept;
    }
    return left.getFirst().chain(); // equal matches are refused when the listener is built
  }

  /** Whether the first bytes must be read (TLS ClientHello: SNI, ALPN; or the transport protocol) before choosing. */
  public boolean inspectsTls() {
    return inspects;
  }

  /** Every chain's listener, the default chain last. */
  public List<ListenerConfig> chains() {
    var out = new ArrayList<ListenerConfig>(entries.size() + 1);
    for (var e : entries) {
      out.add(e.chain());
    }
    if (defaultChain != null) {
      out.add(defaultChain);
    }
    return out;
  }

  /** The chains in order, with their matches. */
  public List<Entry> entries() {
    return entries;
  }

  public ListenerConfig defaultChain() {
    return defaultChain;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof FilterChainSelector s && s.entries.equals(entries) && java.util.Objects.equals(s.defaultChain, defaultChain)
        && s.filters.equals(filters);
  }

  @Override
  public int hashCode() {
    return entries.hashCode() * 31 + java.util.Objects.hashCode(defaultChain);
  }
}
