package io.meshwork.proxy.tracing;

import java.util.List;

/**
 * Encodes spans as a Zipkin v2 JSON array ({@code POST /api/v2/spans}): {@code traceId},
 * {@code id}, {@code parentId}, {@code name}, {@code kind}, {@code timestamp}/{@code duration} in
 * µs, {@code localEndpoint} (service name, listener IP), {@code remoteEndpoint} (peer IP and port),
 * string {@code tags}, and {@code debug} for forced traces. Written as UTF-8 straight into a
 * {@link SpanBuffer}, with no intermediate text.
 */
public final class ZipkinJson {
  private ZipkinJson() {}

  /** The request body for {@code spans} as a new array. */
  public static byte[] encode(List<? extends QueuedSpan> spans) {
    return SpanFormat.ZIPKIN_JSON.encode(spans);
  }

  /**
   * A report written straight into the exporter's buffer {@code out}: {@code [} before the first
   * span, commas between spans, {@code ]} when finished.
   */
  static final class Batch extends SpanBatch {
    private final SpanBuffer out;
    private final Writer w;

    Batch(SpanBuffer out) {
      this.out = out;
      this.w = new Writer(out);
      reset();
    }

    @Override
    boolean write(QueuedSpan span) {
      int mark = out.size();
      try {
        if (size() > 0) {
          out.write(',');
        }
        w.tags = 0;
        span.writeTo(w);
        return true;
      } catch (RuntimeException e) {
        out.truncate(mark); // a span that cannot be written must not cost the rest of the batch
        return false;
      }
    }

    @Override
    void finish() {
      out.write(']');
    }

    @Override
    void reset() {
      out.reset();
      out.write('[');
    }
  }

  private static final class Writer implements SpanWriter {
    private final SpanBuffer out;
    private long startMicros;
    private long durationMicros;
    private boolean debug;
    int tags;
    private final KeyCache keys = new KeyCache((key, into) -> {
      into.write('"');
      into.jsonChars(key, 0, key.length());
      into.ascii("\":\"");
    });

    Writer(SpanBuffer out) {
      this.out = out;
    }

    @Override
    public void begin(String traceId, String spanId, String parentId, boolean client, long startMicros,
        long durationMicros, boolean debug) {
      out.ascii("{\"traceId\":\"");
      out.ascii(traceId);
      out.ascii("\",\"id\":\"");
      out.ascii(spanId);
      out.write('"');
      if (parentId != null) {
        out.ascii(",\"parentId\":\"");
        out.ascii(parentId);
        out.write('"');
      }
      out.ascii(client ? ",\"kind\":\"CLIENT\"" : ",\"kind\":\"SERVER\"");
      this.startMicros = startMicros;
      this.durationMicros = durationMicros;
      this.debug = debug;
    }

    @Override
    public void beginName() {
      out.ascii(",\"name\":\"");
    }

    @Override
    public void endpoints(String serviceName, CharSequence localIp, CharSequence remoteIp, int remoteFrom, int remoteTo,
        int remotePort) {
      out.ascii(",\"timestamp\":");
      out.decimal(startMicros);
      out.ascii(",\"duration\":");
      out.decimal(Math.max(1, durationMicros));
      out.ascii(",\"localEndpoint\":{\"serviceName\":\"");
      var service = serviceName == null ? "unknown" : serviceName;
      out.jsonChars(service, 0, service.length());
      out.write('"');
      if (localIp != null) {
        ip(localIp, 0, localIp.length());
      }
      out.write('}');
      if (remoteIp != null) {
        out.ascii(",\"remoteEndpoint\":{\"port\":");
        out.decimal(remotePort);
        ip(remoteIp, remoteFrom, remoteTo);
        out.write('}');
      }
      if (debug) {
        out.ascii(",\"debug\":true");
      }
      out.ascii(",\"tags\":{");
    }

    private void ip(CharSequence ip, int from, int to) {
      boolean v6 = false;
      for (int i = from; i < to && !v6; i++) {
        v6 = ip.charAt(i) == ':';
      }
      out.ascii(v6 ? ",\"ipv6\":\"" : ",\"ipv4\":\"");
      out.jsonChars(ip, from, to);
      out.write('"');
    }

    @Override
    public void beginTag(String key) {
      if (tags++ > 0) {
        out.write(',');
      }
      out.write(keys.get(key));
    }

    @Override
    public void text(CharSequence s, int from, int to) {
      out.jsonChars(s, from, to);
    }

    @Override
    public void number(long v) {
      out.decimal(v);
    }

    @Override
    public void endValue() {
      out.write('"');
    }

    @Override
    public void end(boolean error) {
      out.ascii("}}");
    }
  }
}
