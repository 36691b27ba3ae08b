/**
 * The xDS client: one ADS stream to the control plane, node metadata, warming (clusters before
 * endpoints, listeners before routes), ACK/NACK decided by the caller, reconnect with backoff.
 */
package io.meshwork.xds.client;
