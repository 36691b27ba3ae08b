package io.meshwork.proxy.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.PromiseNotifier;

/**
 * Keeps a body-less response on a downstream HTTP/2 stream as one HEADERS frame with END_STREAM,
 * as Envoy forwards it. The exchange writes every response as a head and then its content, which
 * Netty's HTTP/2 codec turns into HEADERS and an empty DATA frame carrying END_STREAM. For gRPC that
 * breaks every error: a server answers an error as "trailers-only" (one HEADERS frame with
 * {@code grpc-status} and END_STREAM), and a client receiving headers without END_STREAM followed by
 * an empty final DATA frame fails the call as INTERNAL ("unexpected EOS on empty DATA frame") instead
 * of reporting the server's status. This handler holds the head until the next write: if that is an
 * empty last content without trailers, both go out as one full response (one HEADERS frame, END_STREAM);
 * otherwise the head is written unchanged first. A flush or close writes a held head, so streaming
 * responses keep their timing.
 */
final class Http2TrailersOnly extends ChannelOutboundHandlerAdapter {
  private HttpResponse head;
  private ChannelPromise headPromise;

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (head == null) {
      if (msg instanceof HttpResponse r && !(msg instanceof FullHttpResponse) && r.status().code() >= 200) {
        head = r;
        headPromise = promise;
        return;
      }
      ctx.write(msg, promise);
      return;
    }
    var h = head;
    var hp = headPromise;
    head = null;
    headPromise = null;
    if (msg instanceof LastHttpContent last && !last.content().isReadable() && last.trailingHeaders().isEmpty()) {
      last.release();
      var full = new DefaultFullHttpResponse(h.protocolVersion(), h.status(), Unpooled.EMPTY_BUFFER, h.headers(),
          EmptyHttpHeaders.INSTANCE);
      ctx.write(full).addListener(new PromiseNotifier<>(hp, promise));
      return;
    }
    ctx.write(h, hp);
    ctx.write(msg, promise);
  }

  @Override
  public void flush(ChannelHandlerContext ctx) {
    writeHeld(ctx);
    ctx.flush();
  }

  @Override
  public void close(ChannelHandlerContext ctx, ChannelPromise promise) throws Exception {
    writeHeld(ctx);
    ctx.close(promise);
  }

  private void writeHeld(ChannelHandlerContext ctx) {
    if (head != null) {
      var h = head;
      var hp = headPromise;
      head = null;
      headPromise = null;
      ctx.write(h, hp);
    }
  }
}
