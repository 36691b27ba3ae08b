package io.meshwork.console.trace;

import java.util.ArrayList;
import java.util.List;

/** The spans of one trace held by the store; mutated only under the store's lock. */
final class Trace {
  final String traceId;
  final List<Span> spans = new ArrayList<>();
  long bytes;

  Trace(String traceId) {
    this.traceId = traceId;
  }

  List<Span> snapshot() {
    return List.copyOf(spans);
  }
}
