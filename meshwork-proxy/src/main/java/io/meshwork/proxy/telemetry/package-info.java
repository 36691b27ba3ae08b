/**
 * Istio-standard telemetry in the proxy: the {@code istio_*} request and TCP metrics with Istio's
 * labels, the peer-metadata exchange that tells each side who the other workload is (HTTP headers
 * {@code x-envoy-peer-metadata[-id]}, and the {@code istio-peer-exchange} ALPN frame on mTLS TCP),
 * Telemetry API metric overrides, and their Prometheus/OpenMetrics rendering. See TELEMETRY.md.
 */
package io.meshwork.proxy.telemetry;
