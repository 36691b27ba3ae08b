/**
 * The HTTP/1.1 data path: the hardened request decoder, the per-connection downstream handler, the
 * router stage, upstream calls with timeouts and retries, and per-event-loop connection pools.
 * See {@code meshwork-proxy/PROXY.md} for the pipeline layout.
 */
package io.meshwork.proxy.http;
