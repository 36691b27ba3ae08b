package io.meshwork.proxy.tracing;

/**
 * One report being built by the exporter thread: each span is encoded as soon as it is taken from
 * the queue ({@link #add}), and the request body is framed around the encoded spans only when the
 * report is sent ({@link #finish}). Encoding at take time, rather than when a whole batch has
 * queued up, means a finished span's objects live only until the exporter's next drain (a few
 * milliseconds at 10,000 spans/s) instead of until a batch of 1,024 is full (a quarter of a second
 * at 4,000 spans/s): the sidecar's small Serial young generation then no longer copies hundreds of
 * kilobytes of queued records in every young pause (see docs/benchmarks.md, "Tracing cost").
 */
abstract class SpanBatch {
  private int size;

  /**
   * Encodes {@code span} into this report; false (nothing of it kept) when it could not be written,
   * so that one bad span does not cost the rest.
   */
  final boolean add(QueuedSpan span) {
    if (write(span)) {
      size++;
      return true;
    }
    return false;
  }

  /** Spans encoded since the last {@link #clear}. */
  final int size() {
    return size;
  }

  /** Writes the whole request body (the encoded spans in their framing) into the exporter's buffer. */
  abstract void finish();

  /** Starts the next report. */
  final void clear() {
    size = 0;
    reset();
  }

  abstract boolean write(QueuedSpan span);

  abstract void reset();
}
