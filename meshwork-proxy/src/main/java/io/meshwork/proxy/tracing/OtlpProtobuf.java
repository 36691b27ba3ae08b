package io.meshwork.proxy.tracing;

import java.util.ArrayList;
import java.util.List;

/**
 * Encodes spans as an OTLP {@code ExportTraceServiceRequest} (protobuf, the body of
 * {@code POST /v1/traces}), written field by field from the OTLP proto definitions so that no
 * generated classes (and no second protobuf runtime) are needed: one {@code ResourceSpans} per
 * service ({@code service.name}), one scope {@code meshwork-proxy}, spans with kind SERVER (2) or
 * CLIENT (3), nanosecond times, string attributes, and status ERROR (2) for failed requests.
 * Written straight into a {@link SpanBuffer}: no message objects, no copy of a nested message per
 * level (the previous encoder built a {@code ByteString} per attribute, two per tag).
 */
public final class OtlpProtobuf {
  static final String SCOPE = "meshwork-proxy";

  private OtlpProtobuf() {}

  /** The request body for {@code spans} as a new array. */
  public static byte[] encode(List<? extends QueuedSpan> spans) {
    return SpanFormat.OTLP_PROTOBUF.encode(spans);
  }

  /**
   * A report of one {@code ResourceSpans} per service: each span's {@code Span} field is written as it
   * is added into a buffer of its service (usually the only one: an exporter serves one proxy), and
   * {@link #finish} writes the request around them into the exporter's buffer {@code out}.
   */
  static final class Batch extends SpanBatch {
    private final SpanBuffer out;
    private final List<Slot> slots = new ArrayList<>(2);

    /** One service's encoded spans in the report being built; kept across reports for reuse. */
    private static final class Slot {
      String service;
      final SpanBuffer spans = new SpanBuffer(16 * 1024);
      final Writer writer = new Writer(spans);
      int count;
    }

    Batch(SpanBuffer out) {
      this.out = out;
    }

    @Override
    boolean write(QueuedSpan span) {
      var slot = slotFor(service(span));
      int mark = slot.spans.size();
      try {
        span.writeTo(slot.writer);
        slot.count++;
        return true;
      } catch (RuntimeException e) {
        slot.spans.truncate(mark); // a span that cannot be written must not cost the rest of the batch
        return false;
      }
    }

    /** The slot of {@code service}; else a free one left from an earlier report (nothing in it), else a new one. */
    private Slot slotFor(String service) {
      Slot free = null;
      for (int i = 0; i < slots.size(); i++) {
        var slot = slots.get(i);
        if (slot.service.equals(service)) {
          return slot;
        }
        if (free == null && slot.count == 0) {
          free = slot;
        }
      }
      if (free == null) {
        free = new Slot();
        slots.add(free);
      }
      free.service = service;
      return free;
    }

    @Override
    void finish() {
      out.reset();
      for (int i = 0; i < slots.size(); i++) {
        var slot = slots.get(i);
        if (slot.count == 0) {
          continue;
        }
        int resourceSpans = out.beginMessage(1);
        int resource = out.beginMessage(1);
        int kv = out.beginMessage(1);
        out.stringField(1, "service.name", 0, 12);
        int any = out.beginMessage(2);
        out.stringField(1, slot.service, 0, slot.service.length());
        out.endMessage(any);
        out.endMessage(kv);
        out.endMessage(resource);
        int scopeSpans = out.beginMessage(2);
        int scope = out.beginMessage(1);
        out.stringField(1, SCOPE, 0, SCOPE.length());
        out.endMessage(scope);
        out.write(slot.spans.array(), 0, slot.spans.size());
        out.endMessage(scopeSpans);
        out.endMessage(resourceSpans);
      }
    }

    @Override
    void reset() {
      for (int i = 0; i < slots.size(); i++) {
        slots.get(i).spans.reset(); // the buffer stays, for this service or the next one that needs a slot
        slots.get(i).count = 0;
      }
    }
  }

  private static String service(QueuedSpan s) {
    var name = s.serviceName();
    return name == null ? "unknown" : name;
  }

  private static final class Writer implements SpanWriter {
    private final SpanBuffer out;
    private int span;
    private int value;
    private int any;
    private int keyValue;
    private boolean skipValue;
    private boolean client;
    private long startMicros;
    private long durationMicros;
    private CharSequence remoteIp;
    private int remoteFrom;
    private int remoteTo;
    private final KeyCache keys = new KeyCache((key, into) -> into.stringField(1, key, 0, key.length()));

    Writer(SpanBuffer out) {
      this.out = out;
    }

    @Override
    public void begin(String traceId, String spanId, String parentId, boolean client, long startMicros,
        long durationMicros, boolean debug) {
      span = out.beginMessage(2);
      out.hexBytesField(1, traceId);
      out.hexBytesField(2, spanId);
      if (parentId != null) {
        out.hexBytesField(4, parentId);
      }
      this.client = client;
      this.startMicros = startMicros;
      this.durationMicros = durationMicros;
      remoteIp = null;
    }

    @Override
    public void beginName() {
      skipValue = false;
      value = out.beginMessage(5);
      keyValue = -1;
    }

    @Override
    public void endpoints(String serviceName, CharSequence localIp, CharSequence remoteIp, int remoteFrom, int remoteTo,
        int remotePort) {
      out.enumField(6, client ? 3 : 2);
      out.fixed64(7, startMicros * 1000);
      out.fixed64(8, (startMicros + Math.max(1, durationMicros)) * 1000);
      this.remoteIp = remoteIp;
      this.remoteFrom = remoteFrom;
      this.remoteTo = remoteTo;
    }

    @Override
    public void beginTag(String key) {
      skipValue = key.equals("error"); // OTLP marks errors by the status, not an attribute
      if (skipValue) {
        return;
      }
      keyValue = out.beginMessage(9);
      out.write(keys.get(key));
      any = out.beginMessage(2);
      value = out.beginMessage(1);
    }

    @Override
    public void text(CharSequence s, int from, int to) {
      if (!skipValue) {
        out.utf8(s, from, to);
      }
    }

    @Override
    public void number(long v) {
      if (!skipValue) {
        out.decimal(v);
      }
    }

    @Override
    public void endValue() {
      if (skipValue) {
        skipValue = false;
        return;
      }
      out.endMessage(value);
      if (keyValue >= 0) {
        out.endMessage(any);
        out.endMessage(keyValue);
      }
    }

    @Override
    public void end(boolean error) {
      if (remoteIp != null) {
        beginTag("net.peer.ip");
        text(remoteIp, remoteFrom, remoteTo);
        endValue();
      }
      if (error) {
        int status = out.beginMessage(15);
        out.enumField(3, 2);
        out.endMessage(status);
      }
      out.endMessage(span);
    }
  }
}
