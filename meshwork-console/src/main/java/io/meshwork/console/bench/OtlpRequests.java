package io.meshwork.console.bench;

import com.google.protobuf.CodedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * OTLP {@code ExportTraceServiceRequest} bodies written field by field (no generated classes),
 * shaped like a proxy's server spans: ids, name, kind, times and three attributes. Each span is
 * its own trace, so the store's trace cap is exercised as hard as its memory cap.
 */
final class OtlpRequests {
  private OtlpRequests() {}

  static byte[] request(String service, int spans, long seed) {
    try {
      var scope = new ByteArrayOutputStream();
      var sc = CodedOutputStream.newInstance(scope);
      sc.writeByteArray(1, message(o -> o.writeString(1, "bench")));
      for (int i = 0; i < spans; i++) {
        long id = seed * 1_000_003L + i + 1;
        sc.writeByteArray(2, message(o -> {
          o.writeBytes(1, com.google.protobuf.ByteString.copyFrom(hex(String.format("%032x", id))));
          o.writeBytes(2, com.google.protobuf.ByteString.copyFrom(hex(String.format("%016x", id))));
          o.writeString(5, "GET /vote");
          o.writeEnum(6, 2);
          o.writeFixed64(7, 1_700_000_000_000_000_000L + id);
          o.writeFixed64(8, 1_700_000_000_005_000_000L + id);
          o.writeByteArray(9, keyValue("http.method", "GET"));
          o.writeByteArray(9, keyValue("http.url", "http://vote.default.svc.cluster.local/"));
          o.writeByteArray(9, message(kv -> {
            kv.writeString(1, "http.status_code");
            kv.writeByteArray(2, message(v -> v.writeInt64(3, 200)));
          }));
        }));
      }
      sc.flush();
      byte[] resource = message(o -> o.writeByteArray(1, keyValue("service.name", service)));
      byte[] rs = message(o -> {
        o.writeByteArray(1, resource);
        o.writeByteArray(2, scope.toByteArray());
      });
      return message(o -> o.writeByteArray(1, rs));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static byte[] hex(String s) {
    return java.util.HexFormat.of().parseHex(s);
  }

  private static byte[] keyValue(String k, String v) throws IOException {
    return message(o -> {
      o.writeString(1, k);
      o.writeByteArray(2, message(a -> a.writeString(1, v)));
    });
  }

  private interface Body {
    void write(CodedOutputStream o) throws IOException;
  }

  private static byte[] message(Body b) throws IOException {
    var bytes = new ByteArrayOutputStream();
    var o = CodedOutputStream.newInstance(bytes, 128); // the 4 KiB default buffer per message made building bodies slow
    b.write(o);
    o.flush();
    return bytes.toByteArray();
  }
}
