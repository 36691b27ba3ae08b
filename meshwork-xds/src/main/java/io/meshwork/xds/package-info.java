/**
 * Envoy v3 xDS for Meshwork: the resource types (from {@code io.envoyproxy.controlplane:api}), the
 * registry of extension types that may appear inside {@code typed_config}, and loaders that turn
 * Envoy-shaped input into protos. Nothing here knows about the proxy's runtime objects.
 */
package io.meshwork.xds;
