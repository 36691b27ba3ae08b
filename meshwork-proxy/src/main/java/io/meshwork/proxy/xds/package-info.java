/**
 * Dynamic configuration over xDS: turns the complete snapshots delivered by
 * {@code io.meshwork.xds.client.XdsClient} into the same immutable {@code ProxyConfig} a static
 * bootstrap gives (RDS route configurations, EDS endpoints), and applies them through
 * {@code ProxyServer.update}. What the proxy cannot honour is rejected (NACKed) whole, with its
 * field path, and the last good configuration keeps serving.
 */
package io.meshwork.proxy.xds;
