package io.meshwork.proxy.tracing;

import java.util.List;

/**
 * The two wire formats a collector accepts, with their content types: Zipkin v2 JSON
 * ({@code /api/v2/spans}) and OTLP/HTTP protobuf ({@code /v1/traces}).
 */
public enum SpanFormat {
  ZIPKIN_JSON("application/json"),
  OTLP_PROTOBUF("application/x-protobuf");

  private final String contentType;

  SpanFormat(String contentType) {
    this.contentType = contentType;
  }

  public String contentType() {
    return contentType;
  }

  /** A report that encodes spans as they are added and writes the request body into {@code out} when finished. */
  SpanBatch newBatch(SpanBuffer out) {
    return switch (this) {
      case ZIPKIN_JSON -> new ZipkinJson.Batch(out);
      case OTLP_PROTOBUF -> new OtlpProtobuf.Batch(out);
    };
  }

  /**
   * Encodes {@code spans} as one request body into {@code out} (which is reset first); returns how
   * many spans could not be written and were left out.
   */
  int encode(List<? extends QueuedSpan> spans, SpanBuffer out) {
    var batch = newBatch(out);
    int skipped = 0;
    for (int i = 0; i < spans.size(); i++) {
      if (!batch.add(spans.get(i))) {
        skipped++;
      }
    }
    batch.finish();
    return skipped;
  }

  /** The request body as a new array (tests and tools; the exporter encodes into a reused buffer). */
  public byte[] encode(List<? extends QueuedSpan> spans) {
    var out = new SpanBuffer(1024);
    encode(spans, out);
    return out.toByteArray();
  }
}
