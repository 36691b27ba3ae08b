package io.meshwork.proxy.tracing;

import java.util.Map;

/**
 * A finished span with all its values built (tests and tools; the proxy queues {@code HttpSpan}'s
 * record, which writes the same fields without building them): ids as lower-case hex (trace 32 digits, span 16, parent null for
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
  public void writeTo(SpanWriter w) {
    w.begin(traceId, spanId, parentId, client, startMicros, durationMicros, debug);
    w.beginName();
    w.text(name);
    w.endValue();
    w.endpoints(serviceName, localIp, remoteIp, 0, remoteIp == null ? 0 : remoteIp.length(), remotePort);
    for (var t : tags.entrySet()) {
      w.tag(t.getKey(), t.getValue());
    }
    w.end(error);
  }
}
