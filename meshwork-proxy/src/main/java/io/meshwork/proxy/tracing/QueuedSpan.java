package io.meshwork.proxy.tracing;

/**
 * An element of the export queue: a finished span that is encoded only on the exporter thread. An
 * event loop finishing a span keeps just the values it already holds (an immutable record, see
 * {@code HttpSpan}); tags, URLs and address text are written by {@link #writeTo} straight into the
 * exporter's buffer, off the request path and without intermediate objects.
 */
public interface QueuedSpan {
  /** The service the span belongs to (OTLP groups spans by it); null: {@code unknown}. */
  String serviceName();

  /** Pushes the span into {@code w}; called on the exporter thread. */
  void writeTo(SpanWriter w);
}
