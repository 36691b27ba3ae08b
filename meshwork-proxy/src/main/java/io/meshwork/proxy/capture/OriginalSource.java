package io.meshwork.proxy.capture;

import io.meshwork.proxy.cluster.Host;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollSocketChannel;
import java.net.InetSocketAddress;

/**
 * Envoy's {@code original_src} behaviour, which Istio puts on virtualInbound in TPROXY mode: the
 * proxy's connection to its own app, made for a captured inbound connection, leaves from the
 * caller's own address ({@code IP_TRANSPARENT}) and carries the proxy mark
 * {@value Captured#PROXY_MARK}, so the app sees the real client (its {@code getpeername}) and the
 * rules neither capture it again ({@code -m mark --mark 1337 -j RETURN}) nor let the app's replies
 * leave the pod (connmark restore, {@code fwmark 1337 lookup 133} routes them to {@code lo}).
 *
 * <p>The inbound clusters Meshwork's control plane sends point to {@code 127.0.0.1:PORT}, as Istio's
 * did before 1.10. A connection from a non-local address to 127.0.0.1 cannot be answered (the
 * kernel does not route a reply with a loopback source out of {@code lo}), so a loopback endpoint is
 * reached at the pod's own address instead: the original destination's address, the endpoint's
 * port. That is where Istio 1.10 and later send inbound traffic in both modes (its inbound clusters
 * are {@code ORIGINAL_DST}); the app must therefore listen on the pod address or on 0.0.0.0, as it
 * must under Istio.
 *
 * @param target where to connect
 * @param source the caller's address (port 0: any), bound transparently
 */
public record OriginalSource(InetSocketAddress target, InetSocketAddress source) {

  /**
   * The original source for an upstream connection to {@code endpoint} made on behalf of
   * {@code downstream} (an HTTP/2 stream asks its connection); null when the downstream connection
   * was not captured inbound in TPROXY mode, so that the connection is made as usual.
   */
  public static OriginalSource of(Channel downstream, InetSocketAddress endpoint) {
    var captured = Captured.of(downstream);
    if (captured == null || !captured.inbound() || captured.mode() != InterceptionMode.TPROXY) {
      return null;
    }
    var connection = downstream;
    while (connection != null && !connection.hasAttr(Captured.KEY)) {
      connection = connection.parent();
    }
    if (!(connection instanceof EpollSocketChannel) || !(connection.remoteAddress() instanceof InetSocketAddress caller)) {
      return null;
    }
    var target = endpoint;
    if (endpoint.getAddress().isLoopbackAddress() && captured.originalDestination() != null) {
      target = new InetSocketAddress(captured.originalDestination().getAddress(), endpoint.getPort());
    }
    return new OriginalSource(target, new InetSocketAddress(caller.getAddress(), 0));
  }

  /** The pool key of connections to {@code host} from this source: never shared with another caller. */
  public Host.PoolKey poolKey(Host host) {
    return new Host.PoolKey(host.poolKey().cluster(), target, source.getAddress());
  }

  /**
   * Connects {@code b} (its handler already set) transparently from {@link #source} to
   * {@link #target}, marking the socket before the SYN. Needs CAP_NET_ADMIN and epoll.
   */
  public ChannelFuture connect(Bootstrap b) {
    ChannelHandler handler = b.config().handler();
    b.option(EpollChannelOption.IP_TRANSPARENT, true).handler(new ChannelInitializer<Channel>() {
      @Override
      protected void initChannel(Channel up) {
        SocketMark.set(up, Captured.PROXY_MARK); // before the connect: the SYN already carries the mark
        up.pipeline().addLast(handler);
      }
    });
    return b.connect(target, source);
  }
}
