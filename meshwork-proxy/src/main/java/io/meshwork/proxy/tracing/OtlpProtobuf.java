package io.meshwork.proxy.tracing;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Encodes spans as an OTLP {@code ExportTraceServiceRequest} (protobuf, the body of
 * {@code POST /v1/traces}), written field by field from the OTLP proto definitions so that no
 * generated classes (and no second protobuf runtime) are needed: one {@code ResourceSpans} per
 * service ({@code service.name}), one scope {@code meshwork-proxy}, spans with kind SERVER (2) or
 * CLIENT (3), nanosecond times, string attributes, and status ERROR (2) for failed requests.
 */
public final class OtlpProtobuf {
  static final String SCOPE = "meshwork-proxy";

  private OtlpProtobuf() {}

  public static byte[] encode(List<SpanData> spans) {
    var byService = new LinkedHashMap<String, List<SpanData>>();
    for (var s : spans) {
      byService.computeIfAbsent(s.serviceName() == null ? "unknown" : s.serviceName(), k -> new java.util.ArrayList<>()).add(s);
    }
    return message(out -> {
      for (var e : byService.entrySet()) {
        out.writeBytes(1, resourceSpans(e.getKey(), e.getValue()));
      }
    }).toByteArray();
  }

  private static ByteString resourceSpans(String service, List<SpanData> spans) throws IOException {
    var resource = message(out -> out.writeBytes(1, keyValue("service.name", service)));
    var scope = message(out -> out.writeString(1, SCOPE));
    var scopeSpans = message(out -> {
      out.writeBytes(1, scope);
      for (var s : spans) {
        out.writeBytes(2, span(s));
      }
    });
    return message(out -> {
      out.writeBytes(1, resource);
      out.writeBytes(2, scopeSpans);
    });
  }

  private static ByteString span(SpanData s) throws IOException {
    return message(out -> {
      out.writeBytes(1, ByteString.fromHex(s.traceId()));
      out.writeBytes(2, ByteString.fromHex(s.spanId()));
      if (s.parentId() != null) {
        out.writeBytes(4, ByteString.fromHex(s.parentId()));
      }
      out.writeString(5, s.name());
      out.writeEnum(6, s.client() ? 3 : 2);
      out.writeFixed64(7, s.startMicros() * 1000);
      out.writeFixed64(8, (s.startMicros() + Math.max(1, s.durationMicros())) * 1000);
      for (Map.Entry<String, String> t : s.tags().entrySet()) {
        if (!t.getKey().equals("error")) {
          out.writeBytes(9, keyValue(t.getKey(), t.getValue()));
        }
      }
      if (s.remoteIp() != null) {
        out.writeBytes(9, keyValue("net.peer.ip", s.remoteIp()));
      }
      if (s.error()) {
        out.writeBytes(15, message(st -> st.writeEnum(3, 2)));
      }
    });
  }

  private static ByteString keyValue(String key, String value) throws IOException {
    var any = message(out -> out.writeString(1, value));
    return message(out -> {
      out.writeString(1, key);
      out.writeBytes(2, any);
    });
  }

  private interface Writer {
    void write(CodedOutputStream out) throws IOException;
  }

  private static ByteString message(Writer w) {
    try {
      var bytes = new ByteArrayOutputStream(128);
      var out = CodedOutputStream.newInstance(bytes);
      w.write(out);
      out.flush();
      return ByteString.copyFrom(bytes.toByteArray());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
