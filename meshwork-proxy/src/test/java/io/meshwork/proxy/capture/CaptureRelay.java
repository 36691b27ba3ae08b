package io.meshwork.proxy.capture;

import io.meshwork.testing.netns.Pod;
import io.meshwork.testing.netns.PodUser;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * A test stand-in for the proxy's capture listeners (15001/15006): it accepts a captured connection
 * on an epoll listener inside a pod, asks {@link OriginalDestination} where it was going, and relays
 * the bytes to a target chosen from that (a static "cluster" map, or the original destination
 * itself: passthrough). Its upstream socket is opened as the proxy's user (uid 1337), optionally
 * bound to a source address (127.0.0.6, or the caller's address with IP_TRANSPARENT and the mark for
 * TPROXY). It records every accepted connection, so tests can count them: a capture loop would show
 * up as more than one.
 */
final class CaptureRelay implements AutoCloseable {

  /** One accepted connection. */
  record Accepted(InetSocketAddress remote, InetSocketAddress local, InetSocketAddress original) {}

  final List<Accepted> accepted = new CopyOnWriteArrayList<>();
  private final Channel listener;

  private CaptureRelay(Channel listener) {
    this.listener = listener;
  }

  /**
   * Starts a relay.
   *
   * @param transparent IP_TRANSPARENT on the listener (TPROXY mode)
   * @param routes original destination → target; missing entries pass through to the destination
   * @param source the upstream's source address given the downstream channel, or null for none
   * @param mark SO_MARK for the upstream socket, or 0
   */
  static CaptureRelay start(Pod pod, EventLoopGroup group, int port, boolean transparent,
      Map<InetSocketAddress, InetSocketAddress> routes,
      Function<Channel, InetSocketAddress> source, int mark) throws Exception {
    var relay = new CaptureRelay[1];
    var sb = new ServerBootstrap().group(group).channel(EpollServerSocketChannel.class)
        .option(ChannelOption.SO_REUSEADDR, true)
        .option(EpollChannelOption.IP_TRANSPARENT, transparent)
        .childHandler(new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel ch) {
            var original = OriginalDestination.of(ch);
            relay[0].accepted.add(new Accepted((InetSocketAddress) ch.remoteAddress(),
                (InetSocketAddress) ch.localAddress(), original.orElse(null)));
            if (original.isEmpty()) {
              ch.close();
              return;
            }
            var target = routes.getOrDefault(original.get(), original.get());
            ch.config().setAutoRead(false);
            var b = new Bootstrap().group(ch.eventLoop())
                .channelFactory(() -> newUpstreamSocket(pod))
                .option(EpollChannelOption.IP_TRANSPARENT, source != null && transparent)
                .handler(new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel up) {
                    if (mark != 0) {
                      SocketMark.set(up, mark);
                    }
                    up.pipeline().addLast(new Pipe(ch));
                  }
                });
            var connect = source == null ? b.connect(target) : b.connect(target, source.apply(ch));
            connect.addListener((ChannelFutureListener) f -> {
              if (f.isSuccess()) {
                ch.pipeline().addLast(new Pipe(f.channel()));
                ch.config().setAutoRead(true);
              } else {
                ch.close();
              }
            });
          }
        });
    var listener = pod.call(PodUser.ROOT, () -> sb.bind(port).sync().channel());
    relay[0] = new CaptureRelay(listener);
    return relay[0];
  }

  /** A socket created in the pod by a thread whose filesystem uid is the proxy's (1337). */
  private static EpollSocketChannel newUpstreamSocket(Pod pod) {
    try {
      return pod.call(PodUser.PROXY, EpollSocketChannel::new);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    listener.close().syncUninterruptibly();
  }

  /** Writes everything read to the other channel; closes it when this one closes. */
  private static final class Pipe extends ChannelInboundHandlerAdapter {
    private final Channel other;

    Pipe(Channel other) {
      this.other = other;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (other.isActive()) {
        other.writeAndFlush(msg);
      } else {
        ReferenceCountUtil.release(msg);
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      other.close();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }
}
