package io.meshwork.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.ReferenceCountUtil;

/**
 * Arbitrary bytes into the hardened HTTP/1.1 request decoder, split in two reads at a position the
 * input chooses. The decoder must never throw out of the pipeline, and every request that both the
 * decoder and {@link Http1Checks} (which the exchange applies next) accept must have unambiguous
 * framing: at most one Content-Length, no Content-Length together with Transfer-Encoding,
 * Transfer-Encoding only "chunked", and no control character in the request target (the class of
 * bug issue 12's NUL finding belonged to; its seed {@code nul-in-target} is the regression test).
 * It lives in this package to call {@link Http1Checks}; the other fuzz tests are in
 * {@code io.meshwork.proxy.fuzz}.
 */
class Http1RequestDecoderFuzzTest {
  @FuzzTest(maxDuration = "5m")
  void decodedRequestsHaveUnambiguousFraming(byte[] input) {
    var ch = new EmbeddedChannel(new Http1RequestDecoder(4096, 8192));
    try {
      int split = input.length == 0 ? 0 : (input[0] & 0xff) % (input.length + 1);
      ch.writeInbound(Unpooled.wrappedBuffer(input, 0, split));
      ch.writeInbound(Unpooled.wrappedBuffer(input, split, input.length - split));
      ch.checkException();
      for (Object o; (o = ch.readInbound()) != null; ) {
        try {
          if (o instanceof HttpRequest r && r.decoderResult().isSuccess() && Http1Checks.problem(r) == null) {
            var h = r.headers();
            assertThat(h.getAll(HttpHeaderNames.CONTENT_LENGTH)).hasSizeLessThanOrEqualTo(1);
            var te = h.getAll(HttpHeaderNames.TRANSFER_ENCODING);
            if (!te.isEmpty()) {
              assertThat(h.contains(HttpHeaderNames.CONTENT_LENGTH)).as("CL with TE").isFalse();
              assertThat(te).hasSize(1);
              assertThat(te.getFirst().strip()).isEqualToIgnoringCase("chunked");
            }
            assertThat(r.uri().chars().noneMatch(c -> c == 0 || c == '\r' || c == '\n')).as("request target %s", r.uri()).isTrue();
          }
        } finally {
          ReferenceCountUtil.release(o);
        }
      }
    } finally {
      ch.finishAndReleaseAll();
    }
  }
}
