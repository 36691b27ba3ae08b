package io.meshwork.proxy.tracing;

/**
 * An element of the export queue: a finished span that becomes {@link SpanData} only on the
 * exporter thread. An event loop finishing a span keeps just the values it already holds (an
 * immutable record, see {@code HttpSpan}); building tags, URLs and address strings is left to
 * the exporter, off the request path.
 */
public interface QueuedSpan {
  /** The span in the encoders' model; called on the exporter thread. */
  SpanData toSpanData();
}
