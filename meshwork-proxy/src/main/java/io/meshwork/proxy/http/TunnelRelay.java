package io.meshwork.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;

/**
 * After a successful protocol upgrade (WebSocket), the only handler left on each side: relays bytes
 * to the peer channel, reading again only when the peer accepted the write, and closes the peer
 * (after flushing) when its own side closes. Leftover HTTP objects from the codecs are dropped.
 */
final class TunnelRelay extends ChannelInboundHandlerAdapter {
  private final Channel peer;

  TunnelRelay(Channel peer) {
    this.peer = peer;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof ByteBuf buf)) {
      ReferenceCountUtil.release(msg);
      ctx.read();
      return;
    }
    if (!buf.isReadable()) {
      buf.release();
      ctx.read();
      return;
    }
    peer.writeAndFlush(buf).addListener(f -> {
      if (f.isSuccess()) {
        ctx.read();
      } else {
        ctx.close();
      }
    });
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (peer.isActive()) {
      peer.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close();
  }
}
