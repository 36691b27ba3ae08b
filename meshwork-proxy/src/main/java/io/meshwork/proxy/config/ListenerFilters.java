package io.meshwork.proxy.config;

import java.time.Duration;

/**
 * The listener filters of a {@link ListenerConfig.Chains} listener that Meshwork runs, and how long
 * they may wait for the client's first bytes.
 *
 * @param tlsInspector {@code envoy.filters.listener.tls_inspector}: a TLS record on the first byte sets
 *     the transport protocol {@code tls} (else {@code raw_buffer}, Envoy's default without it)
 * @param httpInspector {@code envoy.filters.listener.http_inspector}: an HTTP/1.x request line or the
 *     HTTP/2 preface sets the application protocol ({@code http/1.0}, {@code http/1.1}, {@code h2c})
 * @param timeout {@code listener_filters_timeout} (Envoy's default 15 s; zero: wait for ever)
 * @param continueOnTimeout {@code continue_on_listener_filters_timeout}: on timeout, pick a chain with
 *     what is known (no application protocol) instead of closing the connection
 */
public record ListenerFilters(boolean tlsInspector, boolean httpInspector, Duration timeout, boolean continueOnTimeout) {
  /** Envoy's default {@code listener_filters_timeout}. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(15);
}
