package io.meshwork.proxy.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.meshwork.proxy.cluster.Host;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * When the proxy's connection to its app leaves from the caller's address: only for inbound
 * connections captured in TPROXY mode, and then a loopback endpoint is reached at the pod address.
 * (That the kernel accepts and routes such connections is shown by TransparentMeshNetnsTest.)
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class OriginalSourceTest {
  static final InetSocketAddress POD = new InetSocketAddress("198.18.7.3", 9080);
  static final InetSocketAddress APP = new InetSocketAddress("127.0.0.1", 9080);

  @Test
  void tproxyInboundLeavesFromTheCallerToThePodAddress() throws Exception {
    var o = onAccepted(ch -> {
      ch.attr(Captured.KEY).set(new Captured(true, POD, InterceptionMode.TPROXY));
      return OriginalSource.of(ch, APP);
    });
    assertThat(o).isNotNull();
    assertThat(o.target()).as("127.0.0.1 cannot answer a foreign source: the pod address, the endpoint's port")
        .isEqualTo(POD);
    assertThat(o.source()).isEqualTo(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    // A non-loopback endpoint is kept as it is.
    var other = new InetSocketAddress("198.18.7.9", 7000);
    var kept = onAccepted(ch -> {
      ch.attr(Captured.KEY).set(new Captured(true, POD, InterceptionMode.TPROXY));
      return OriginalSource.of(ch, other);
    });
    assertThat(kept.target()).isEqualTo(other);
  }

  @Test
  void redirectOutboundAndUncapturedConnectionsAreMadeAsUsual() throws Exception {
    assertThat(onAccepted(ch -> OriginalSource.of(ch, APP))).isNull();
    assertThat(onAccepted(ch -> {
      ch.attr(Captured.KEY).set(new Captured(true, POD, InterceptionMode.REDIRECT));
      return OriginalSource.of(ch, APP);
    })).isNull();
    assertThat(onAccepted(ch -> {
      ch.attr(Captured.KEY).set(new Captured(false, POD, InterceptionMode.TPROXY));
      return OriginalSource.of(ch, APP);
    })).as("outbound").isNull();
  }

  @Test
  void pooledConnectionsAreKeptApartPerCaller() {
    var host = Host.originalDestination("inbound|9080||", APP);
    var a = new OriginalSource(POD, new InetSocketAddress("198.18.7.2", 0));
    var b = new OriginalSource(POD, new InetSocketAddress("198.18.7.4", 0));
    assertThat(a.poolKey(host)).isNotEqualTo(b.poolKey(host)).isNotEqualTo(host.poolKey());
    assertThat(a.poolKey(host)).isEqualTo(new OriginalSource(POD, new InetSocketAddress("198.18.7.2", 0)).poolKey(host));
    assertThat(a.poolKey(host).cluster()).isEqualTo("inbound|9080||");
  }

  /** Accepts one real epoll connection over loopback and applies {@code f} to the accepted channel. */
  private static OriginalSource onAccepted(Function<Channel, OriginalSource> f) throws Exception {
    assumeTrue(Epoll.isAvailable(), "skipped: epoll unavailable");
    var group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
    try {
      var seen = new CompletableFuture<OriginalSource>();
      var listener = new ServerBootstrap().group(group).channel(EpollServerSocketChannel.class)
          .childHandler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
              try {
                seen.complete(f.apply(ch));
              } catch (RuntimeException e) {
                seen.completeExceptionally(e);
              }
              ch.close();
            }
          }).bind(InetAddress.getLoopbackAddress(), 0).sync().channel();
      try (var s = new Socket()) {
        s.connect(listener.localAddress(), 5000);
        return seen.get(10, TimeUnit.SECONDS);
      } finally {
        listener.close().sync();
      }
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }
  }
}
