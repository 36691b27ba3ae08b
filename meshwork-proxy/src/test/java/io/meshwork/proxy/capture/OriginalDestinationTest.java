package io.meshwork.proxy.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.meshwork.testing.netns.PodNetwork;
import io.meshwork.testing.netns.PodUser;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.lang.foreign.Arena;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class OriginalDestinationTest {

  @Test
  void decodesSockaddrInWithThePortInNetworkOrder() {
    try (var arena = Arena.ofConfined()) {
      var sa = arena.allocate(16);
      sa.set(java.lang.foreign.ValueLayout.JAVA_SHORT, 0, (short) NativeSockets.AF_INET);
      sa.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 2, (byte) 0x23); // 9080 = 0x2378
      sa.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 3, (byte) 0x78);
      byte[] ip = {(byte) 198, 18, 1, 10};
      for (int i = 0; i < 4; i++) {
        sa.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 4 + i, ip[i]);
      }
      assertThat(NativeSockets.decode(sa)).isEqualTo(new InetSocketAddress("198.18.1.10", 9080));
    }
  }

  @Test
  void aConnectionAddressedToTheListenerHasNoOriginalDestination() throws Exception {
    assumeTrue(Epoll.isAvailable(), "skipped: epoll unavailable");
    var group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
    try {
      assertThat(acceptAndLookUp(group, EpollServerSocketChannel.class, InetAddress.getLoopbackAddress())).isEmpty();
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }
  }

  @Test
  void nioChannelsHaveNoFileDescriptorSoNoOriginalDestination() throws Exception {
    var group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    try {
      assertThat(acceptAndLookUp(group, NioServerSocketChannel.class, InetAddress.getLoopbackAddress())).isEmpty();
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }
  }

  @Test
  void ipv6RedirectIsReadBackWithIp6tSoOriginalDst() throws Exception {
    var reason = PodNetwork.unavailable();
    assumeTrue(reason.isEmpty(), () -> "skipped: " + reason.orElseThrow());
    assumeTrue(Epoll.isAvailable(), "skipped: epoll unavailable");
    assumeTrue(CommandRunner.local().run(List.of("ip6tables-restore", "--version"), "").ok(), "skipped: ip6tables missing");
    var group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
    try (var net = PodNetwork.create()) {
      var pod = net.addPod("v6");
      // A documentation-style ULA routed to lo inside the pod only; nothing outside sees it.
      assertThat(pod.run(PodUser.ROOT, Duration.ofSeconds(10), "ip", "-6", "route", "add", "fd00:198:18::/64", "dev", "lo").ok()).isTrue();
      assertThat(pod.run(PodUser.ROOT, Duration.ofSeconds(10), "ip6tables", "-t", "nat", "-A", "OUTPUT", "-p", "tcp",
          "-d", "fd00:198:18::99", "-j", "REDIRECT", "--to-ports", "15001").ok()).isTrue();
      var seen = new CompletableFuture<Optional<InetSocketAddress>>();
      var listener = pod.call(PodUser.ROOT, () -> new ServerBootstrap().group(group).channel(EpollServerSocketChannel.class)
          .childHandler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
              seen.complete(OriginalDestination.of(ch));
              ch.close();
            }
          }).bind(15001).sync().channel());
      try {
        var target = new InetSocketAddress(InetAddress.getByName("fd00:198:18::99"), 9080);
        pod.call(PodUser.ROOT, () -> {
          try (var s = new Socket()) {
            s.connect(target, 5000);
          }
          return null;
        });
        assertThat(seen.get(10, TimeUnit.SECONDS)).contains(target);
      } finally {
        listener.close().sync();
      }
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }
  }

  private static Optional<InetSocketAddress> acceptAndLookUp(EventLoopGroup group, Class<? extends ServerChannel> type, InetAddress addr) throws Exception {
    var seen = new CompletableFuture<Optional<InetSocketAddress>>();
    var listener = new ServerBootstrap().group(group).channel(type)
        .childHandler(new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel ch) {
            seen.complete(OriginalDestination.of(ch));
            ch.close();
          }
        }).bind(addr, 0).sync().channel();
    try (var s = new Socket()) {
      s.connect(listener.localAddress(), 5000);
      return seen.get(10, TimeUnit.SECONDS);
    } finally {
      listener.close().sync();
    }
  }
}
