package io.meshwork.proxy.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;

/**
 * The downstream HTTP/1.1 aggregator: Netty's, plus a short cut for requests without a body (most
 * GETs). The decoder delivers such a request as its head followed at once by the shared empty last
 * content, and Netty's aggregator would still allocate a composite buffer (and its component array)
 * for the empty body of each. Here the pair becomes a {@code FullHttpRequest} over the empty buffer
 * directly, as the aggregator would build it: the same head and header map, {@code Content-Length: 0}
 * added when absent, the empty last content's (empty) trailers. Anything else (a body, chunked,
 * {@code Expect}, a failed decode) goes through Netty's aggregation unchanged.
 */
final class Http1RequestAggregator extends HttpObjectAggregator {
  /** A body-less request head waiting for the empty last content that follows it. */
  private HttpRequest pendingHead;

  Http1RequestAggregator(int maxContentLength) {
    super(maxContentLength, true);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
    var head = pendingHead;
    if (head != null) {
      pendingHead = null;
      if (msg == LastHttpContent.EMPTY_LAST_CONTENT) {
        if (!head.headers().contains(HttpHeaderNames.CONTENT_LENGTH)) {
          head.headers().set(HttpHeaderNames.CONTENT_LENGTH, "0"); // as HttpObjectAggregator.finishAggregation
        }
        var full = new DefaultFullHttpRequest(head.protocolVersion(), head.method(), head.uri(), Unpooled.EMPTY_BUFFER,
            head.headers(), EmptyHttpHeaders.INSTANCE);
        full.setDecoderResult(head.decoderResult());
        ctx.fireChannelRead(full);
        return;
      }
      super.channelRead(ctx, head); // not what was expected after all: Netty's aggregation, in order
    }
    if (msg instanceof HttpRequest r && !(msg instanceof HttpContent) && bodyless(r)) {
      pendingHead = r;
      return;
    }
    super.channelRead(ctx, msg);
  }

  /** The empty last content always follows its head in the same read; if ever not, aggregate as Netty would. */
  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
    var head = pendingHead;
    if (head != null) {
      pendingHead = null;
      super.channelRead(ctx, head);
    }
    super.channelReadComplete(ctx);
  }

  /** Decoded fine, no Content-Length other than 0, no Transfer-Encoding, no Expect: the decoder ends it at once. */
  private static boolean bodyless(HttpRequest r) {
    if (!r.decoderResult().isSuccess()) {
      return false;
    }
    var h = r.headers();
    if (h.contains(HttpHeaderNames.TRANSFER_ENCODING) || h.contains(HttpHeaderNames.EXPECT)) {
      return false;
    }
    var length = h.get(HttpHeaderNames.CONTENT_LENGTH);
    return length == null || length.equals("0");
  }
}
