package io.meshwork.console.ingest;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.HexFormat;

/** Writes minimal OTLP ExportTraceServiceRequest bytes by field number (tests and the benchmark). */
public final class OtlpProtoWriter {
  private OtlpProtoWriter() {}

  /** One resource (service.name) with {@code spans} spans of one trace each, ids derived from {@code seed}. */
  public static byte[] request(String service, int spans, long seed) throws IOException {
    var spanBytes = new ByteArrayOutputStream();
    var scope = new ByteArrayOutputStream();
    var sc = CodedOutputStream.newInstance(scope);
    sc.writeByteArray(1, message(o -> o.writeString(1, "bench")));
    for (int i = 0; i < spans; i++) {
      long n = seed * 1_000_003L + i;
      final long id = n;
      sc.writeByteArray(2, message(o -> {
        o.writeBytes(1, ByteString.copyFrom(HexFormat.of().parseHex(String.format("%032x", id + 1))));
        o.writeBytes(2, ByteString.copyFrom(HexFormat.of().parseHex(String.format("%016x", id + 1))));
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
    spanBytes.close();
    return message(o -> o.writeByteArray(1, rs));
  }

  static byte[] keyValue(String k, String v) throws IOException {
    return message(o -> {
      o.writeString(1, k);
      o.writeByteArray(2, message(a -> a.writeString(1, v)));
    });
  }

  interface Body {
    void write(CodedOutputStream o) throws IOException;
  }

  static byte[] message(Body b) throws IOException {
    var bytes = new ByteArrayOutputStream();
    var o = CodedOutputStream.newInstance(bytes);
    b.write(o);
    o.flush();
    return bytes.toByteArray();
  }
}
