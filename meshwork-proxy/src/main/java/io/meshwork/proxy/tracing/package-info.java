/**
 * Distributed tracing in the proxy, as Envoy does it for Istio: trace context propagation (W3C
 * {@code traceparent}/{@code tracestate}, B3 multi-header and single {@code b3}), the sampling
 * decision ({@code x-client-trace-id}, an incoming decision, then a random percentage), one span per
 * exchange (CLIENT on outbound listeners, SERVER on inbound ones) with Envoy's and Istio's tags, and
 * batched export (Zipkin v2 JSON or OTLP/HTTP protobuf) from a bounded queue on a background thread,
 * so that a slow or absent collector costs a request nothing but a dropped, counted span.
 */
package io.meshwork.proxy.tracing;
