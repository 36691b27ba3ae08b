/**
 * Listener filters and filter chain selection: a listener with several filter chains looks at a
 * connection's first bytes without consuming them ({@link io.meshwork.proxy.listener.HttpInspection},
 * Envoy's {@code http_inspector}; a TLS record byte, the {@code tls_inspector}'s transport protocol),
 * picks the chain whose {@code filter_chain_match} fits, and hands the connection, bytes included,
 * to that chain's own HTTP or TCP pipeline. See PROXY.md, "Protocol sniffing".
 */
package io.meshwork.proxy.listener;
