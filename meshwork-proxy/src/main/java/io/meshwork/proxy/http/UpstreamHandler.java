package io.meshwork.proxy.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpObject;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;

/**
 * Last handler of an upstream connection's pipeline ({@code HttpClientCodec} → this). Forwards
 * decoded responses to the attached {@link UpstreamListener}; anything that arrives while the
 * connection is idle in the pool is a protocol violation and closes it. Runs on the inbound
 * connection's event loop, so its fields need no synchronisation.
 */
final class UpstreamHandler extends ChannelInboundHandlerAdapter {
  private final UpstreamPool pool;
  private final io.meshwork.proxy.cluster.Host.PoolKey key;
  UpstreamListener listener;
  ScheduledFuture<?> idleTimer;

  UpstreamHandler(UpstreamPool pool, io.meshwork.proxy.cluster.Host.PoolKey key) {
    this.pool = pool;
    this.key = key;
  }

  io.meshwork.proxy.cluster.Host.PoolKey key() {
    return key;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    var l = listener;
    if (l != null && msg instanceof HttpObject h) {
      l.onUpstreamMessage(h);
    } else {
      ReferenceCountUtil.release(msg);
      ctx.close();
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    pool.forget(ctx.channel(), this);
    var l = listener;
    listener = null;
    if (l != null) {
      l.onUpstreamClosed();
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close();
  }
}
