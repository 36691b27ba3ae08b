package io.meshwork.proxy.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpObject;
import io.netty.util.ReferenceCountUtil;

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
  /** The idle timeout while pooled (HTTP/1.1 pool), created at the first release; runs {@link #onIdle}. */
  LazyDeadline idleDeadline;
  Runnable onIdle;
  /** The cluster's {@code max_requests_per_connection} for this HTTP/1.1 connection (0: unlimited). */
  int maxRequests;
  /** Requests sent on this connection so far. */
  int requests;
  /** Counts this HTTP/1.1 connection's close by the idle timer (null: not counted). */
  io.meshwork.proxy.stats.Counter idleTimeouts;

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

  /** Whether this connection has carried its {@code max_requests_per_connection} and must not be reused. */
  boolean spent() {
    return maxRequests > 0 && requests >= maxRequests;
  }

  /**
   * An HTTP/2 upstream stream was reset by the peer (Netty fires the RST_STREAM frame as an event before
   * the stream closes): tell the listener the error code, which decides {@code refused-stream} retries.
   */
  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
    if (evt instanceof io.netty.handler.codec.http2.Http2ResetFrame reset) {
      var l = listener;
      if (l != null) {
        l.onUpstreamReset(reset.errorCode());
      }
    }
    super.userEventTriggered(ctx, evt);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close();
  }
}
