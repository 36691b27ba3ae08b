package io.meshwork.proxy.chains;

import io.meshwork.proxy.stats.Counter;
import io.meshwork.proxy.stats.Stats;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.List;

/**
 * The counters of filter chain selection. Each is kept under two listener scopes: Meshwork's
 * {@code listener.NAME.} (as {@code listener.NAME.ssl.*}) and Envoy's {@code listener.ADDRESS_PORT.}
 * (the scope Envoy gives a listener without a {@code stat_prefix}, which Istio dashboards read);
 * when the two are the same name, once. The counters: {@code http_inspector.http10_found},
 * {@code http11_found}, {@code http2_found}, {@code http_not_found}, {@code read_error} (the
 * inspector's outcomes), {@code downstream_pre_cx_timeout}, {@code no_filter_chain_match},
 * {@code downstream_listener_filter_remote_close} (the client left before a decision) and
 * {@code downstream_listener_filter_error}.
 */
final class SelectorStats {
  /** One counter kept under both scopes. */
  record Pair(List<Counter> counters) {
    void inc() {
      for (var c : counters) {
        c.inc();
      }
    }
  }

  final Pair http10Found;
  final Pair http11Found;
  final Pair http2Found;
  final Pair httpNotFound;
  final Pair readError;
  final Pair preCxTimeout;
  final Pair noFilterChainMatch;
  final Pair remoteClose;
  final Pair listenerFilterError;

  private SelectorStats(Stats stats, List<String> prefixes) {
    http10Found = pair(stats, prefixes, "http_inspector.http10_found");
    http11Found = pair(stats, prefixes, "http_inspector.http11_found");
    http2Found = pair(stats, prefixes, "http_inspector.http2_found");
    httpNotFound = pair(stats, prefixes, "http_inspector.http_not_found");
    readError = pair(stats, prefixes, "http_inspector.read_error");
    preCxTimeout = pair(stats, prefixes, "downstream_pre_cx_timeout");
    noFilterChainMatch = pair(stats, prefixes, "no_filter_chain_match");
    remoteClose = pair(stats, prefixes, "downstream_listener_filter_remote_close");
    listenerFilterError = pair(stats, prefixes, "downstream_listener_filter_error");
  }

  private static Pair pair(Stats stats, List<String> prefixes, String name) {
    return new Pair(prefixes.stream().map(p -> stats.counter(p + name)).toList());
  }

  /** The counters of listener {@code name} bound at {@code bound} ({@code 127.0.0.1:15006}). */
  static SelectorStats of(Stats stats, String name, SocketAddress bound) {
    var address = bound instanceof InetSocketAddress a ? a.getAddress().getHostAddress() + "_" + a.getPort() : String.valueOf(bound);
    var prefixes = name.equals(address) ? List.of("listener." + name + ".")
        : List.of("listener." + name + ".", "listener." + address + ".");
    return new SelectorStats(stats, prefixes);
  }
}
