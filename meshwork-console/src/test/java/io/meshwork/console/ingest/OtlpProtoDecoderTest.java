package io.meshwork.console.ingest;

import static io.meshwork.console.ingest.OtlpProtoWriter.keyValue;
import static io.meshwork.console.ingest.OtlpProtoWriter.message;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.meshwork.console.trace.Span;
import io.meshwork.console.trace.SpanKind;
import java.io.IOException;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * The protobuf decoder reads nested messages as views into the request body (offsets, not
 * copies). These cases would go wrong with an offset off by one or taken relative to the wrong
 * message: several ResourceSpans, a resource written after its scopes (legal protobuf), two scopes,
 * ids, parent, events, links and status, and a body cut short.
 */
class OtlpProtoDecoderTest {
  private static final HexFormat HEX = HexFormat.of();

  @Test
  void nestedMessagesAreReadInPlaceWhateverTheirOrder() throws IOException {
    byte[] first = resourceSpans("vote", false, scope("s1", span("0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331", "00f067aa0ba902b7", 2)));
    byte[] second = resourceSpans("result", true, scope("s2", span("0000000000000000000000000000002a", "000000000000002b", null, 3)),
        scope("s3", span("0000000000000000000000000000002a", "000000000000002c", "000000000000002b", 2)));
    byte[] body = message(o -> {
      o.writeString(99, "an unknown field before the first ResourceSpans");
      o.writeByteArray(1, first);
      o.writeByteArray(1, second);
    });

    var spans = OtlpProtoDecoder.decode(body);
    assertThat(spans).hasSize(3);
    Span vote = spans.get(0);
    assertThat(vote.service()).isEqualTo("vote");
    assertThat(vote.traceId()).isEqualTo("0af7651916cd43dd8448eb211c80319c");
    assertThat(vote.spanId()).isEqualTo("b7ad6b7169203331");
    assertThat(vote.parentSpanId()).isEqualTo("00f067aa0ba902b7");
    assertThat(vote.kind()).isEqualTo(SpanKind.SERVER);
    assertThat(vote.name()).isEqualTo("op-b7ad6b7169203331");
    assertThat(vote.startMicros()).isEqualTo(1_700_000_000_000_000L);
    assertThat(vote.durationMicros()).isEqualTo(5_000);
    assertThat(vote.tags()).containsEntry("http.method", "POST").containsEntry("http.status_code", 200L)
        .containsEntry("otel.scope.name", "s1").containsEntry("error", true).containsEntry("otel.status_description", "boom");
    assertThat(vote.processTags()).containsEntry("host.name", "h-vote").doesNotContainKey("service.name");
    assertThat(vote.logs()).hasSize(1);
    assertThat(vote.logs().getFirst().fields()).containsEntry("event", "retry").containsEntry("attempt", "2");
    assertThat(vote.links()).anySatisfy(l -> {
      assertThat(l.type()).isEqualTo("FOLLOWS_FROM");
      assertThat(l.spanId()).isEqualTo("1111111111111111");
    });

    // The second resource came after its scopes on the wire: its service still names both scopes' spans.
    assertThat(spans.subList(1, 3)).extracting(Span::service).containsExactly("result", "result");
    assertThat(spans.get(1).traceId()).as("a 128-bit id with a zero high half is the 64-bit id").isEqualTo("000000000000002a");
    assertThat(spans.get(1).parentSpanId()).isNull();
    assertThat(spans.get(1).kind()).isEqualTo(SpanKind.CLIENT);
    assertThat(spans.get(2).parentSpanId()).isEqualTo("000000000000002b");
    assertThat(spans.get(2).tags()).containsEntry("otel.scope.name", "s3");
  }

  @Test
  void aBodyCutShortIsRefused() throws IOException {
    byte[] body = message(o -> o.writeByteArray(1, resourceSpans("vote", false, scope("s", span("0af7651916cd43dd8448eb211c80319c",
        "b7ad6b7169203331", null, 2)))));
    for (int cut : new int[] {body.length - 1, body.length / 2, 3}) {
      assertThatThrownBy(() -> OtlpProtoDecoder.decode(Arrays.copyOf(body, cut))).as("cut at %d of %d", cut, body.length)
          .isInstanceOf(IOException.class);
    }
  }

  private static byte[] resourceSpans(String service, boolean resourceLast, byte[]... scopes) throws IOException {
    byte[] resource = message(o -> {
      o.writeByteArray(1, keyValue("service.name", service));
      o.writeByteArray(1, keyValue("host.name", "h-" + service));
    });
    return message(o -> {
      if (!resourceLast) {
        o.writeByteArray(1, resource);
      }
      for (byte[] s : scopes) {
        o.writeByteArray(2, s);
      }
      if (resourceLast) {
        o.writeByteArray(1, resource);
      }
    });
  }

  private static byte[] scope(String name, byte[]... spans) throws IOException {
    return message(o -> {
      o.writeByteArray(1, message(s -> s.writeString(1, name)));
      for (byte[] sp : spans) {
        o.writeByteArray(2, sp);
      }
    });
  }

  private static byte[] span(String traceId, String spanId, String parent, int kind) throws IOException {
    return message(o -> {
      o.writeBytes(1, ByteString.copyFrom(HEX.parseHex(traceId)));
      o.writeBytes(2, ByteString.copyFrom(HEX.parseHex(spanId)));
      if (parent != null) {
        o.writeBytes(4, ByteString.copyFrom(HEX.parseHex(parent)));
      }
      o.writeString(5, "op-" + spanId);
      o.writeEnum(6, kind);
      o.writeFixed64(7, 1_700_000_000_000_000_000L);
      o.writeFixed64(8, 1_700_000_000_005_000_000L);
      if (kind == 2) {
        o.writeByteArray(9, keyValue("http.method", "POST"));
        o.writeByteArray(9, message(kv -> {
          kv.writeString(1, "http.status_code");
          kv.writeByteArray(2, message(v -> v.writeInt64(3, 200)));
        }));
        o.writeByteArray(11, message(e -> {
          e.writeFixed64(1, 1_700_000_000_001_000_000L);
          e.writeString(2, "retry");
          e.writeByteArray(3, keyValue("attempt", "2"));
        }));
        o.writeByteArray(13, message(l -> {
          l.writeBytes(1, ByteString.copyFrom(HEX.parseHex(traceId)));
          l.writeBytes(2, ByteString.copyFrom(HEX.parseHex("1111111111111111")));
        }));
        o.writeByteArray(15, message(st -> {
          st.writeString(2, "boom");
          st.writeEnum(3, 2);
        }));
      }
    });
  }
}
