package io.meshwork.proxy.chains;

import io.meshwork.proxy.stats.Counter;
import io.meshwork.proxy.stats.Stats;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * The counters of filter chain selection, under the listener's Envoy scope
 * {@code listener.ADDRESS_PORT.} (the bound address, as Envoy names the stats of a listener without a
 * {@code stat_prefix}, and as the {@code ssl.*} counters of the same listener are named). One scope
 * only, as in Envoy: the same event counted under two names would be summed twice by anything that
 * aggregates {@code listener.*}. The counters: {@code http_inspector.http10_found},
 * {@code http11_found}, {@code http2_found}, {@code http_not_found}, {@code read_error} (the
 * inspector's outcomes), {@code downstream_pre_cx_timeout}, {@code no_filter_chain_match},
 * {@code downstream_listener_filter_remote_close} (the client left before a decision) and
 * {@code downstream_listener_filter_error}.
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

  /** The counters of the listener bound at {@code bound} ({@code 127.0.0.1:15006}: {@code listener.127.0.0.1_15006.}). */
  static SelectorStats of(Stats stats, SocketAddress bound) {
    return new SelectorStats(stats, "listener." + scope(bound) + ".");
  }

  /** Envoy's name of a listener's stats scope: its address and port joined by an underscore. */
  static String scope(SocketAddress bound) {
    return bound instanceof InetSocketAddress a ? a.getAddress().getHostAddress() + "_" + a.getPort() : String.valueOf(bound);
  }
}
