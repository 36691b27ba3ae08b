package io.meshwork.proxy.listener;

import io.meshwork.proxy.stats.Counter;
import io.meshwork.proxy.stats.Stats;

/**
 * The counters of filter chain selection, under Envoy's names for the listener scope
 * {@code listener.ADDRESS_PORT.}: {@code http_inspector.*} (the inspector's outcomes),
 * {@code downstream_pre_cx_timeout}, {@code no_filter_chain_match},
 * {@code downstream_listener_filter_remote_close} and {@code downstream_listener_filter_error}.
 */
final class SelectorStats {
  final Counter http10Found;
  final Counter http11Found;
  final Counter http2Found;
  final Counter httpNotFound;
  final Counter readError;
  final Counter preCxTimeout;
  final Counter noFilterChainMatch;
  final Counter remoteClose;
  final Counter listenerFilterError;

  private SelectorStats(Stats stats, String prefix) {
    http10Found = stats.counter(prefix + "http_inspector.http10_found");
    http11Found = stats.counter(prefix + "http_inspector.http11_found");
    http2Found = stats.counter(prefix + "http_inspector.http2_found");
    httpNotFound = stats.counter(prefix + "http_inspector.http_not_found");
    readError = stats.counter(prefix + "http_inspector.read_error");
    preCxTimeout = stats.counter(prefix + "downstream_pre_cx_timeout");
    noFilterChainMatch = stats.counter(prefix + "no_filter_chain_match");
    remoteClose = stats.counter(prefix + "downstream_listener_filter_remote_close");
    listenerFilterError = stats.counter(prefix + "downstream_listener_filter_error");
  }

  /** The counters of the listener bound at {@code bound} ({@code listener.127.0.0.1_15006.}). */
  static SelectorStats of(Stats stats, java.net.SocketAddress bound) {
    var name = bound instanceof java.net.InetSocketAddress a ? a.getAddress().getHostAddress() + "_" + a.getPort() : String.valueOf(bound);
    return new SelectorStats(stats, "listener." + name + ".");
  }
}
