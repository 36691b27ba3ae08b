package io.meshwork.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.proxy.transport.Transport;
import io.netty.channel.nio.NioEventLoopGroup;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Connections that offer different ALPN (Istio's per-connection {@code istio.alpn}) may be served on
 * different filter chains by the server: each override gets its own pool per loop and protocol, so
 * an {@code istio-http/1.1} connection is never handed to an {@code istio-h2} or a plain request.
 */
class PoolRegistryAlpnTest {
  @Test
  void eachAlpnOverrideHasItsOwnPool() throws Exception {
    var group = new NioEventLoopGroup(1);
    try {
      var loop = group.next();
      var pools = new PoolRegistry(Transport.NIO);
      var http11 = pools.forLoop(loop, false, List.of("istio-http/1.1", "istio"));
      assertThat(pools.forLoop(loop, false, new java.util.ArrayList<>(List.of("istio-http/1.1", "istio")))).isSameAs(http11);
      assertThat(http11).isNotSameAs(pools.forLoop(loop, false)).isInstanceOf(Http1ConnectionPool.class);
      var h2 = pools.forLoop(loop, true, List.of("istio-h2", "istio"));
      assertThat(h2).isInstanceOf(Http2ConnectionPool.class).isNotSameAs(pools.forLoop(loop, true));
      assertThat(pools.forLoop(loop, false, List.of("istio-http/1.0", "istio"))).isNotSameAs(http11);
      assertThat(pools.forLoop(loop, false, null)).as("no override: the cluster's pool").isSameAs(pools.forLoop(loop, false));
    } finally {
      group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).sync();
    }
  }
}
