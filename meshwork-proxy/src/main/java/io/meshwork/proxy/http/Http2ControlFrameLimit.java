package io.meshwork.proxy.http;

import io.meshwork.proxy.stats.Counter;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.DefaultHttp2GoAwayFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2PingFrame;
import io.netty.handler.codec.http2.Http2SettingsFrame;
import io.netty.handler.codec.http2.Http2StreamFrame;

/**
 * Closes a downstream HTTP/2 connection that floods control frames (PING or SETTINGS) without
 * doing any work, like the PING and SETTINGS floods of CVE-2019-9512/9515. Netty's own limit on
 * queued control-frame replies only trips once the peer stops reading and the socket buffers are
 * full, which on loopback takes hundreds of thousands of frames; this counts what arrives instead.
 *
 * <p>A frame of a stream (HEADERS, DATA, RST_STREAM...) resets the count, so gRPC's BDP pings,
 * which follow DATA frames, never trip it; so does a quiet period: the count covers at most
 * {@link #WINDOW_NANOS}. Over {@link #MAX_CONTROL_FRAMES} the connection gets GOAWAY
 * ENHANCE_YOUR_CALM and is closed, and {@code http.<prefix>.http2.inbound_control_flood} counts it.
 */
final class Http2ControlFrameLimit extends io.netty.channel.ChannelInboundHandlerAdapter {
  static final int MAX_CONTROL_FRAMES = 1_000;
  static final long WINDOW_NANOS = 10_000_000_000L;

  private final Counter floods;
  private int count;
  private long windowStart;
  private boolean closing;

  Http2ControlFrameLimit(Counter floods) {
    this.floods = floods;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof Http2StreamFrame) {
      count = 0;
    } else if (isControl(msg)) {
      long now = System.nanoTime();
      if (count == 0 || now - windowStart > WINDOW_NANOS) {
        count = 0;
        windowStart = now;
      }
      if (++count > MAX_CONTROL_FRAMES) {
        io.netty.util.ReferenceCountUtil.release(msg);
        if (!closing) {
          closing = true;
          floods.inc();
          ctx.writeAndFlush(new DefaultHttp2GoAwayFrame(Http2Error.ENHANCE_YOUR_CALM)).addListener(ChannelFutureListener.CLOSE);
          ctx.channel().config().setAutoRead(false);
        }
        return;
      }
    }
    ctx.fireChannelRead(msg);
  }

  private static boolean isControl(Object msg) {
    return (msg instanceof Http2PingFrame ping && !ping.ack()) || msg instanceof Http2SettingsFrame;
  }
}
