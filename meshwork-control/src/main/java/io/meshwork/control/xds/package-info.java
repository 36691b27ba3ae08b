/**
 * The ADS server: state-of-the-world and delta streams, versions and nonces, ACK/NACK, debounced
 * pushes of only what changed, and its metrics.
 */
package io.meshwork.control.xds;
