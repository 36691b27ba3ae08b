package io.meshwork.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.testing.LeakDetectionExtension;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The hardened decoder on an EmbeddedChannel: no sockets, byte-exact input. */
@ExtendWith(LeakDetectionExtension.class)
class Http1RequestDecoderTest {
  private static List<FullHttpRequest> decode(int chunk, String raw) {
    var ch = new EmbeddedChannel(new Http1RequestDecoder(4096, 1024), new HttpObjectAggregator(1 << 20));
    var bytes = raw.getBytes(StandardCharsets.ISO_8859_1);
    for (int i = 0; i < bytes.length; i += chunk) {
      ch.writeInbound(Unpooled.wrappedBuffer(bytes, i, Math.min(chunk, bytes.length - i)));
    }
    var out = new ArrayList<FullHttpRequest>();
    FullHttpRequest r;
    while ((r = ch.readInbound()) != null) {
      out.add(r);
    }
    ch.finishAndReleaseAll();
    return out;
  }

  private static boolean ok(FullHttpRequest r) {
    boolean success = r.decoderResult().isSuccess();
    r.release();
    return success;
  }

  @Test
  void obsFoldIsDetectedEvenWhenTheHeadArrivesByteByByte() {
    var out = decode(1, "GET / HTTP/1.1\r\nHost: x\r\nX-A: a\r\n folded\r\n\r\n");
    assertThat(out).hasSize(1);
    assertThat(ok(out.getFirst())).isFalse();
  }

  @Test
  void pipelinedValidRequestsDecodeInOrderWhateverTheChunking() {
    var raw = "POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"
        + "GET /b HTTP/1.1\r\nHost: x\r\nX-Spaces: a b\r\n\r\n"
        + "POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nz\r\n0\r\n\r\n";
    for (int chunk : new int[] {1, 7, 1000}) {
      var out = decode(chunk, raw);
      assertThat(out).extracting(FullHttpRequest::uri).containsExactly("/a", "/b", "/c");
      assertThat(out.get(0).content().toString(StandardCharsets.UTF_8)).isEqualTo("abc");
      assertThat(out.get(2).content().toString(StandardCharsets.UTF_8)).isEqualTo("z");
      out.forEach(r -> assertThat(ok(r)).isTrue());
    }
  }

  @Test
  void afterARejectedRequestNothingElseIsDecoded() {
    var out = decode(1000, "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n"
        + "0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n");
    assertThat(out).hasSize(1);
    assertThat(ok(out.getFirst())).isFalse();
  }

  @Test
  void oversizedHeadFailsWithTooLongHeader() {
    var out = decode(100, "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + "b".repeat(2000) + "\r\n\r\n");
    assertThat(out).hasSize(1);
    var r = out.getFirst();
    assertThat(r.decoderResult().cause()).isInstanceOf(TooLongHttpHeaderException.class);
    r.release();
  }
}
