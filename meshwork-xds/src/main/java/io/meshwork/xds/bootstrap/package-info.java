/**
 * Loading an Envoy-shaped static bootstrap file ({@code node}, {@code admin},
 * {@code static_resources}) into a {@code Bootstrap} proto, with errors that name the field path.
 */
package io.meshwork.xds.bootstrap;
