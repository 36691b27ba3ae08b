package io.meshwork.proxy.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Draining the open connections of a listener that an update removed, as Envoy does: an HTTP/1.1
 * connection answers its current request with {@code connection: close} and closes (an idle one closes
 * at once), an HTTP/2 connection gets GOAWAY and closes when its open streams are done (Netty's
 * graceful close), and whatever is still open after the drain time is closed.
 */
public final class ConnectionDrain {
  /** Istio's default {@code drainDuration} (Envoy's --drain-time-s): how long removed listeners' connections may finish. */
  public static final Duration DRAIN_TIME = Duration.ofSeconds(45);

  /** The user event that tells a connection's pipeline its listener is draining. */
  static final Object EVENT = new Object() {
    @Override
    public String toString() {
      return "ListenerDrain";
    }
  };

  private static final Starter STARTER = new Starter();

  private final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);

  /** Wraps a listener's child handler so that its accepted connections are tracked here. */
  public ChannelHandler tracking(ChannelHandler childHandler) {
    return new ChannelInitializer<Channel>() {
      @Override
      protected void initChannel(Channel ch) {
        connections.add(ch); // removed again when it closes
        ch.pipeline().addLast("drain", STARTER);
        ch.pipeline().addLast(childHandler);
      }
    };
  }

  /** Starts draining every tracked connection; those still open after {@code drainTime} are closed. */
  public void start(Duration drainTime, EventExecutor timer) {
    for (var ch : connections) {
      ch.eventLoop().execute(() -> ch.pipeline().fireUserEventTriggered(EVENT));
    }
    timer.schedule(() -> {
      connections.close();
    }, drainTime.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** First in each pipeline: HTTP/2 connections close gracefully (GOAWAY); others pass the event on. */
  @ChannelHandler.Sharable
  private static final class Starter extends ChannelInboundHandlerAdapter {
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
      if (evt == EVENT && ctx.pipeline().get(Http2ConnectionHandler.class) != null) {
        ctx.channel().close(); // Http2ConnectionHandler: GOAWAY(NO_ERROR), then close after the last stream
        return;
      }
      super.userEventTriggered(ctx, evt);
    }
  }
}
