package io.meshwork.console.ingest;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import io.meshwork.console.trace.Ids;
import io.meshwork.console.trace.Span;
import io.meshwork.console.trace.SpanKind;
import io.meshwork.console.trace.SpanLog;
import io.meshwork.console.trace.SpanRef;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Decodes {@code ExportTraceServiceRequest} (opentelemetry/proto/collector/trace/v1) by field
 * number: ResourceSpans(1: resource, 2: scope_spans), Resource(1: attributes), ScopeSpans(1: scope,
 * 2: spans), Span(1 trace_id, 2 span_id, 4 parent_span_id, 5 name, 6 kind, 7/8 start/end fixed64
 * nanos, 9 attributes, 11 events, 13 links, 15 status). Unknown fields are skipped, as protobuf
 * requires.
 */
public final class OtlpProtoDecoder {
  private OtlpProtoDecoder() {}

  /** Decodes one request body. */
  public static List<Span> decode(byte[] body) throws IOException {
    var out = new ArrayList<Span>();
    var in = CodedInputStream.newInstance(body);
    for (int tag; (tag = in.readTag()) != 0; ) {
      if (WireFormat.getTagFieldNumber(tag) == 1 && isDelimited(tag)) {
        int len = in.readRawVarint32();
        int off = in.getTotalBytesRead();
        in.skipRawBytes(len);
        resourceSpans(body, off, len, out);
      } else {
        in.skipField(tag);
      }
    }
    return out;
  }

  private static boolean isDelimited(int tag) {
    return WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED;
  }

  private static CodedInputStream sub(CodedInputStream in) throws IOException {
    return CodedInputStream.newInstance(in.readByteArray());
  }

  /** Reads a nested message in place (no copy) by narrowing the stream's limit around it. */
  private interface Reader<T> {
    T read(CodedInputStream in) throws IOException;
  }

  private static <T> T nested(CodedInputStream in, Reader<T> reader) throws IOException {
    int old = in.pushLimit(in.readRawVarint32());
    T v = reader.read(in);
    in.skipRawBytes(in.getBytesUntilLimit());
    in.popLimit(old);
    return v;
  }

  /**
   * One ResourceSpans at {@code body[off, off + len)}. The resource may come after its scopes on
   * the wire, so the scopes are remembered as offsets into the body and decoded once the resource
   * is known: views, not copies (copying every nested message cost a third of the decode time).
   */
  private static void resourceSpans(byte[] body, int off, int len, List<Span> out) throws IOException {
    var in = CodedInputStream.newInstance(body, off, len);
    Map<String, Object> resource = new LinkedHashMap<>();
    var scopes = new ArrayList<int[]>(1);
    for (int tag; (tag = in.readTag()) != 0; ) {
      switch (WireFormat.getTagFieldNumber(tag)) {
        case 1 -> attributesOf(sub(in), 1, resource);
        case 2 -> {
          int n = in.readRawVarint32();
          scopes.add(new int[] {off + in.getTotalBytesRead(), n});
          in.skipRawBytes(n);
        }
        default -> in.skipField(tag);
      }
    }
    Object svc = resource.remove("service.name");
    String service = svc == null ? null : String.valueOf(svc);
    for (int[] scope : scopes) {
      scopeSpans(body, scope[0], scope[1], service, resource, out);
    }
  }

  private static void scopeSpans(byte[] body, int off, int len, String service, Map<String, Object> resource, List<Span> out)
      throws IOException {
    var in = CodedInputStream.newInstance(body, off, len);
    String scopeName = null;
    String scopeVersion = null;
    var spans = new ArrayList<int[]>();
    for (int tag; (tag = in.readTag()) != 0; ) {
      switch (WireFormat.getTagFieldNumber(tag)) {
        case 1 -> {
          var s = sub(in);
          for (int t; (t = s.readTag()) != 0; ) {
            switch (WireFormat.getTagFieldNumber(t)) {
              case 1 -> scopeName = s.readStringRequireUtf8();
              case 2 -> scopeVersion = s.readStringRequireUtf8();
              default -> s.skipField(t);
            }
          }
        }
        case 2 -> {
          int n = in.readRawVarint32();
          spans.add(new int[] {off + in.getTotalBytesRead(), n});
          in.skipRawBytes(n);
        }
        default -> in.skipField(tag);
      }
    }
    var reuse = new IdReader(body);
    for (int[] s : spans) {
      out.add(span(CodedInputStream.newInstance(body, s[0], s[1]), s[0], reuse, service, resource, scopeName, scopeVersion));
    }
  }

  /** Hex of an id field read in place from the body (ids are bytes on the wire). */
  private record IdReader(byte[] body) {
    String read(CodedInputStream in, int base) throws IOException {
      int n = in.readRawVarint32();
      int at = base + in.getTotalBytesRead();
      in.skipRawBytes(n);
      return Ids.hex(body, at, at + n);
    }
  }

  private static Span span(CodedInputStream in, int base, IdReader ids, String service, Map<String, Object> resource, String scopeName,
      String scopeVersion) throws IOException {
    var b = new OtlpSpanBuilder(service, resource);
    b.scope(scopeName, scopeVersion);
    for (int tag; (tag = in.readTag()) != 0; ) {
      switch (WireFormat.getTagFieldNumber(tag)) {
        case 1 -> b.traceId = ids.read(in, base);
        case 2 -> b.spanId = ids.read(in, base);
        case 3 -> b.tags.put("w3c.tracestate", in.readStringRequireUtf8());
        case 4 -> b.parentSpanId = ids.read(in, base);
        case 5 -> b.name = in.readStringRequireUtf8();
        case 6 -> b.kind = SpanKind.ofOtlp(in.readEnum());
        case 7 -> b.startNanos = in.readFixed64();
        case 8 -> b.endNanos = in.readFixed64();
        case 9 -> nested(in, x -> attribute(x, b.tags));
        case 11 -> b.logs.add(nested(in, OtlpProtoDecoder::event));
        case 13 -> nested(in, x -> link(x, b.links));
        case 15 -> nested(in, x -> status(x, b));
        default -> in.skipField(tag);
      }
    }
    return b.build();
  }

  private static SpanLog event(CodedInputStream in) throws IOException {
    long time = 0;
    Map<String, Object> fields = new LinkedHashMap<>();
    for (int tag; (tag = in.readTag()) != 0; ) {
      switch (WireFormat.getTagFieldNumber(tag)) {
        case 1 -> time = in.readFixed64();
        case 2 -> fields.put("event", in.readStringRequireUtf8());
        case 3 -> nested(in, x -> attribute(x, fields));
        default -> in.skipField(tag);
      }
    }
    return new SpanLog(time / 1000, fields);
  }

  private static Void link(CodedInputStream in, List<SpanRef> links) throws IOException {
    String trace = null;
    String span = null;
    for (int tag; (tag = in.readTag()) != 0; ) {
      switch (WireFormat.getTagFieldNumber(tag)) {
        case 1 -> trace = Ids.hex(in.readByteArray());
        case 2 -> span = Ids.hex(in.readByteArray());
        default -> in.skipField(tag);
      }
    }
    if (trace != null && span != null) {
      links.add(new SpanRef("FOLLOWS_FROM", trace, span));
    }
    return null;
  }

  private static Void status(CodedInputStream in, OtlpSpanBuilder b) throws IOException {
    for (int tag; (tag = in.readTag()) != 0; ) {
      switch (WireFormat.getTagFieldNumber(tag)) {
        case 2 -> b.statusMessage = in.readStringRequireUtf8();
        case 3 -> b.statusCode = in.readEnum();
        default -> in.skipField(tag);
      }
    }
    return null;
  }

  /** Reads every KeyValue with the given field number of a message into {@code into}. */
  private static void attributesOf(CodedInputStream in, int field, Map<String, Object> into) throws IOException {
    for (int tag; (tag = in.readTag()) != 0; ) {
      if (WireFormat.getTagFieldNumber(tag) == field) {
        nested(in, x -> attribute(x, into));
      } else {
        in.skipField(tag);
      }
    }
  }

  /** One KeyValue message: 1 key, 2 AnyValue. */
  private static Void attribute(CodedInputStream in, Map<String, Object> into) throws IOException {
    String key = null;
    Object value = null;
    for (int tag; (tag = in.readTag()) != 0; ) {
      switch (WireFormat.getTagFieldNumber(tag)) {
        case 1 -> key = in.readStringRequireUtf8();
        case 2 -> value = nested(in, OtlpProtoDecoder::anyValue);
        default -> in.skipField(tag);
      }
    }
    if (key != null && value != null) {
      into.put(key, value);
    }
    return null;
  }

  /** AnyValue: 1 string, 2 bool, 3 int64, 4 double, 5 array, 6 kvlist, 7 bytes. */
  private static Object anyValue(CodedInputStream in) throws IOException {
    Object v = null;
    for (int tag; (tag = in.readTag()) != 0; ) {
      switch (WireFormat.getTagFieldNumber(tag)) {
        case 1 -> v = in.readStringRequireUtf8();
        case 2 -> v = in.readBool();
        case 3 -> v = in.readInt64();
        case 4 -> v = in.readDouble();
        case 5 -> {
          var items = new ArrayList<Object>();
          var arr = sub(in);
          for (int t; (t = arr.readTag()) != 0; ) {
            if (WireFormat.getTagFieldNumber(t) == 1) {
              items.add(anyValue(sub(arr)));
            } else {
              arr.skipField(t);
            }
          }
          v = OtlpSpanBuilder.listToString(items);
        }
        case 6 -> {
          var kv = new LinkedHashMap<String, Object>();
          attributesOf(sub(in), 1, kv);
          v = kv.toString();
        }
        case 7 -> v = java.util.Base64.getEncoder().encodeToString(in.readByteArray());
        default -> in.skipField(tag);
      }
    }
    return v;
  }
}
