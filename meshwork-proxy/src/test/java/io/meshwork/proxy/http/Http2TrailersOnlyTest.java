package io.meshwork.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The frames a downstream HTTP/2 stream sends for the exchange's head-then-content writes: a
 * body-less response (gRPC's trailers-only error) is one HEADERS frame with END_STREAM, which gRPC
 * clients require; responses with a body or trailers, and a head flushed on its own (streaming), are
 * unchanged.
 */
class Http2TrailersOnlyTest {
  static HttpResponse grpcError() {
    var r = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
    r.headers().set("content-type", "application/grpc").set("grpc-status", "5").set("grpc-message", "no item");
    return r;
  }

  static List<Object> frames(EmbeddedChannel ch) {
    var out = new ArrayList<>();
    for (Object o; (o = ch.readOutbound()) != null; ) {
      out.add(o);
    }
    return out;
  }

  static EmbeddedChannel channel(ChannelHandler... handlers) {
    return new EmbeddedChannel(handlers);
  }

  @Test
  void aBodylessResponseIsOneHeadersFrameWithEndStream() {
    var ch = channel(new Http2StreamFrameToHttpObjectCodec(true, true), new Http2TrailersOnly());
    var head = ch.write(grpcError());
    var last = ch.write(LastHttpContent.EMPTY_LAST_CONTENT);
    ch.flush();
    var frames = frames(ch);
    assertThat(frames).hasSize(1);
    var h = (Http2HeadersFrame) frames.getFirst();
    assertThat(h.isEndStream()).isTrue();
    assertThat(h.headers().status().toString()).isEqualTo("200");
    assertThat(h.headers().get("grpc-status").toString()).isEqualTo("5");
    assertThat(h.headers().get("grpc-message").toString()).isEqualTo("no item");
    assertThat(head.isSuccess()).isTrue();
    assertThat(last.isSuccess()).isTrue();
    assertThat(ch.finish()).isFalse();
  }

  @Test
  void withoutItTheCodecSendsHeadersAndAnEmptyFinalDataFrame() {
    var ch = channel(new Http2StreamFrameToHttpObjectCodec(true, true));
    ch.write(grpcError());
    ch.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
    var frames = frames(ch);
    assertThat(frames).hasSize(2);
    assertThat(((Http2HeadersFrame) frames.get(0)).isEndStream()).isFalse();
    assertThat(((Http2DataFrame) frames.get(1)).isEndStream()).isTrue();
    frames.forEach(ReferenceCountUtil::release);
  }

  @Test
  void aResponseWithBodyAndTrailersIsUnchanged() {
    var ch = channel(new Http2StreamFrameToHttpObjectCodec(true, true), new Http2TrailersOnly());
    var head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
    head.headers().set("content-type", "application/grpc");
    ch.write(head);
    ch.write(new DefaultHttpContent(Unpooled.copiedBuffer("abc", StandardCharsets.US_ASCII)));
    var last = new DefaultLastHttpContent();
    last.trailingHeaders().set("grpc-status", "0");
    ch.writeAndFlush(last);
    var frames = frames(ch);
    assertThat(frames).hasSize(3);
    assertThat(((Http2HeadersFrame) frames.get(0)).isEndStream()).isFalse();
    var data = (Http2DataFrame) frames.get(1);
    assertThat(data.content().toString(StandardCharsets.US_ASCII)).isEqualTo("abc");
    var trailers = (Http2HeadersFrame) frames.get(2);
    assertThat(trailers.isEndStream()).isTrue();
    assertThat(trailers.headers().get("grpc-status").toString()).isEqualTo("0");
    frames.forEach(ReferenceCountUtil::release);
  }

  @Test
  void aFlushedHeadGoesOutAtOnceForStreamingResponses() {
    var ch = channel(new Http2StreamFrameToHttpObjectCodec(true, true), new Http2TrailersOnly());
    var head = ch.writeAndFlush(grpcError());
    var frames = frames(ch);
    assertThat(frames).hasSize(1);
    assertThat(((Http2HeadersFrame) frames.getFirst()).isEndStream()).isFalse();
    assertThat(head.isSuccess()).isTrue();
    ch.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
    var rest = frames(ch);
    assertThat(rest).hasSize(1);
    assertThat(((Http2DataFrame) rest.getFirst()).isEndStream()).isTrue();
    rest.forEach(ReferenceCountUtil::release);
  }

  @Test
  void aHeldHeadIsWrittenBeforeClose() {
    var ch = channel(new Http2StreamFrameToHttpObjectCodec(true, true), new Http2TrailersOnly());
    var head = ch.write(grpcError());
    ch.close();
    assertThat(head.isDone()).isTrue();
  }
}
