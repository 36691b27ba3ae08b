package io.meshwork.proxy.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;

/**
 * Sits before the aggregator of a downstream HTTP/2 stream and takes gRPC requests
 * ({@code content-type: application/grpc*}) whose HEADERS frame did not end the stream out of
 * aggregation: their head goes on at once as a {@link StreamedRequest}, so the exchange routes and
 * forwards it before the body is complete, and the DATA frames that follow pass the aggregator as
 * plain {@code HttpContent} (it aggregates only what starts with a non-full message). A
 * client-streaming or bidirectional call thus reaches the server message by message instead of at
 * the client's half-close. Everything else (other content types, a request already complete in its
 * HEADERS frame) is aggregated as before. One handler per stream, so one request.
 */
final class GrpcRequestStreamer extends ChannelInboundHandlerAdapter {
  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof HttpRequest head && !(msg instanceof FullHttpRequest) && head.decoderResult().isSuccess()
        && GrpcStatus.isGrpc(head.headers().get(HttpHeaderNames.CONTENT_TYPE))) {
      ctx.pipeline().remove(this);
      ctx.fireChannelRead(new StreamedRequest(head));
      return;
    }
    if (msg instanceof HttpRequest) {
      ctx.pipeline().remove(this); // the stream's only request is not streamed: nothing more to look at
    }
    ctx.fireChannelRead(msg);
  }
}
