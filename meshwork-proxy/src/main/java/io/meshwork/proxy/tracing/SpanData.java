package io.meshwork.proxy.tracing;

import java.util.Map;

/**
 * A finished span, ready to encode: ids as lower-case hex (trace 32 digits, span 16, parent null for
 * a root), times in microseconds since the epoch, tags as strings (Zipkin's model; OTLP sends them
 * as string attributes too, except {@code error}), and the local/remote endpoints Zipkin shows.
 *
 * @param client CLIENT span (outbound proxy) when true, SERVER span (inbound proxy) otherwise
 * @param localIp the listener's address (null when unknown)
 * @param remoteIp the peer: the upstream host for a CLIENT span, the downstream client for a SERVER span
 */
public record SpanData(String traceId, String spanId, String parentId, String name, boolean client, long startMicros,
    long durationMicros, String serviceName, String localIp, String remoteIp, int remotePort,
    Map<String, String> tags, boolean error, boolean debug) implements QueuedSpan {

  @Override
  public SpanData toSpanData() {
    return this;
  }
}
