package io.meshwork.proxy.config;

import java.time.Duration;

/**
 * The listener filters of a listener with several filter chains that Meshwork runs, and how long
 * they may wait for the client's first bytes before a chain is chosen.
 *
 * @param tlsInspector {@code envoy.filters.listener.tls_inspector} is configured. The first TLS
 *     record is read (SNI, ALPN, transport {@code tls}) whenever a chain matches on server names,
 *     transport or application protocols, with or without it (see {@link FilterChainSelector})
 * @param httpInspector {@code envoy.filters.listener.http_inspector}: on a plaintext connection an
 *     HTTP/1.x request line or the HTTP/2 preface gives the application protocol ({@code http/1.0},
 *     {@code http/1.1}, {@code h2c}); without it plaintext connections have none
 * @param timeout {@code listener_filters_timeout} (Envoy's default 15 s; zero: wait for ever)
 * @param continueOnTimeout {@code continue_on_listener_filters_timeout}: on timeout, pick a chain with
 *     what is known (no application protocol) instead of closing the connection
 */
public record ListenerFilters(boolean tlsInspector, boolean httpInspector, Duration timeout, boolean continueOnTimeout) {
  /** Envoy's default {@code listener_filters_timeout}. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(15);

  /** No listener filters: the default timeout, close on timeout. */
  static final ListenerFilters NONE = new ListenerFilters(false, false, DEFAULT_TIMEOUT, false);
}
