/**
 * The proxy's immutable runtime configuration: listeners, route tables, clusters and endpoints as
 * Java records, built once per update from Envoy protos by {@link io.meshwork.proxy.config.ProxyConfigBuilder}.
 * The request path reads only these types, never protos.
 */
package io.meshwork.proxy.config;
