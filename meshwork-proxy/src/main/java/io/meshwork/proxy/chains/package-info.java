/**
 * Listeners with several filter chains: the accept-time handler that gathers what Envoy's
 * listener filters would (the original destination, and from a TLS ClientHello the SNI, ALPN and
 * transport protocol, as the {@code tls_inspector} does; on plaintext, HTTP/1.x or h2c as the
 * {@code http_inspector} does, for protocol sniffing), asks the listener's
 * {@link io.meshwork.proxy.config.FilterChainSelector} for a chain, and hands the connection to
 * that chain's own initializer, so each chain's TLS, HTTP or TCP pipeline is that of a listener.
 */
package io.meshwork.proxy.chains;
