/**
 * The Meshwork sidecar proxy: {@link io.meshwork.proxy.ProxyServer} starts listeners, the admin
 * interface and the shared services from a {@link io.meshwork.proxy.config.ProxyConfig}, and applies
 * later updates by swapping snapshots. Design notes: {@code meshwork-proxy/PROXY.md}.
 */
package io.meshwork.proxy;
