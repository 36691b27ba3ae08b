package io.meshwork.proxy.it;

import static io.meshwork.proxy.it.ProxyHarness.http;
import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.testing.LeakDetectionExtension;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The cluster's {@code max_connections} on the HTTP/2 upstream pool, as Envoy's pool applies it: a
 * request that finds no connection with a free stream waits as a pending request and the pool opens
 * another connection for it, unless {@code max_connections} is reached ({@code upstream_cx_overflow}
 * counts the refusal); the request then waits for a stream or a freed connection slot, under
 * {@code max_pending_requests} (beyond: 503 UO). A pool without any connection to an endpoint opens
 * one even at the limit. One event loop, so every client shares one upstream pool; each test has its
 * own cluster and upstream.
 */
@ExtendWith(LeakDetectionExtension.class)
class Http2MaxConnectionsIntegrationTest {
  static final EventLoopGroup GROUP = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  static Upstream narrow;
  static Upstream capped;
  static Upstream left;
  static Upstream right;
  static Upstream retiring;
  static ProxyHarness proxy;

  /** An h2c upstream allowing {@code maxStreams} concurrent streams, answering each request after {@code delayMs}. */
  static final class Upstream {
    final AtomicInteger connections = new AtomicInteger();
    final AtomicInteger streams = new AtomicInteger();
    final Channel server;

    Upstream(int maxStreams, long delayMs) throws InterruptedException {
      server = new ServerBootstrap().group(GROUP).channel(NioServerSocketChannel.class)
          .childHandler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
              connections.incrementAndGet();
              ch.pipeline().addLast(Http2FrameCodecBuilder.forServer()
                      .initialSettings(Http2Settings.defaultSettings().maxConcurrentStreams(maxStreams)).build(),
                  new Http2MultiplexHandler(new ChannelInitializer<Http2StreamChannel>() {
                    @Override
                    protected void initChannel(Http2StreamChannel stream) {
                      streams.incrementAndGet();
                      stream.pipeline().addLast(new Http2StreamFrameToHttpObjectCodec(true), new HttpObjectAggregator(1 << 20),
                          new SimpleChannelInboundHandler<FullHttpRequest>() {
                            @Override
                            protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
                              var body = Unpooled.copiedBuffer("h2:" + req.uri(), StandardCharsets.UTF_8);
                              var res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, body);
                              ctx.executor().schedule(() -> ctx.writeAndFlush(res), delayMs, TimeUnit.MILLISECONDS);
                            }
                          });
                    }
                  }));
            }
          })
          .bind("127.0.0.1", 0).sync().channel();
    }

    int port() {
      return ((java.net.InetSocketAddress) server.localAddress()).getPort();
    }
  }

  private static String cluster(String name, String breakers, String options, Upstream... endpoints) {
    var eps = new StringBuilder();
    for (var u : endpoints) {
      eps.append(eps.isEmpty() ? "" : ", ")
          .append("{endpoint: {address: {socket_address: {address: 127.0.0.1, port_value: ").append(u.port()).append("}}}}");
    }
    return """
        - name: %1$s
          connect_timeout: 1s
          type: STATIC
          circuit_breakers: {thresholds: [%2$s]}
          typed_extension_protocol_options:
            envoy.extensions.upstreams.http.v3.HttpProtocolOptions:
              "@type": type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions
              %3$sexplicit_http_config: {http2_protocol_options: {}}
          load_assignment:
            cluster_name: %1$s
            endpoints: [{lb_endpoints: [%4$s]}]
        """.formatted(name, breakers, options, eps);
  }

  @BeforeAll
  static void start() throws Exception {
    narrow = new Upstream(1, 1000);
    capped = new Upstream(1, 1000);
    left = new Upstream(100, 0);
    right = new Upstream(100, 0);
    retiring = new Upstream(100, 1000);
    var routes = new StringBuilder("""
        virtual_hosts:
        - name: all
          domains: ["*"]
          routes:
        """);
    for (var c : new String[] {"narrow", "capped", "spread", "retiring"}) {
      routes.append("  - match: {prefix: \"/").append(c).append("/\"}\n    route: {cluster: ").append(c)
          .append(", timeout: 30s}\n");
    }
    proxy = ProxyHarness.start(1, http(routes.toString(),
        cluster("narrow", "{}", "", narrow)
            + cluster("capped", "{max_connections: 1, max_pending_requests: 1}", "", capped)
            + cluster("spread", "{max_connections: 1}", "", left, right)
            + cluster("retiring", "{max_connections: 1}",
                "common_http_protocol_options: {max_requests_per_connection: 2}\n      ", retiring)));
  }

  @AfterAll
  static void stop() {
    proxy.close();
    GROUP.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("waiting for " + what).isLessThan(deadline);
      Thread.sleep(10);
    }
  }

  private static long stat(String cluster, String name) {
    return proxy.stat("cluster." + cluster + "." + name);
  }

  /** Envoy opens another connection when every stream of the open ones is taken (here: one stream each). */
  @Test
  void aSaturatedConnectionGetsASecondOneUnderTheDefaultLimits() throws Exception {
    try (var warm = proxy.client()) {
      assertThat(warm.get("x", "/narrow/warm").status()).as("learns the peer's SETTINGS").isEqualTo(200);
    }
    int streams = narrow.streams.get();
    try (var first = proxy.client(); var second = proxy.client()) {
      first.write("GET /narrow/1 HTTP/1.1\r\nHost: x\r\n\r\n");
      await("the first stream upstream", () -> narrow.streams.get() == streams + 1);
      second.write("GET /narrow/2 HTTP/1.1\r\nHost: x\r\n\r\n");
      await("the second stream upstream, on a new connection", () -> narrow.streams.get() == streams + 2);
      assertThat(narrow.connections.get()).isEqualTo(2);
      assertThat(first.read().body()).isEqualTo("h2:/narrow/1");
      assertThat(second.read().body()).isEqualTo("h2:/narrow/2");
    }
    assertThat(stat("narrow", "upstream_cx_overflow")).isZero();
  }

  @Test
  void atMaxConnectionsTheRequestWaitsForAStreamAndTheRefusalIsCounted() throws Exception {
    try (var warm = proxy.client()) {
      assertThat(warm.get("x", "/capped/warm").status()).as("learns the peer's SETTINGS").isEqualTo(200);
    }
    int streams = capped.streams.get();
    long cxOverflow = stat("capped", "upstream_cx_overflow");
    long pendingOverflow = stat("capped", "upstream_rq_pending_overflow");
    long pendingTotal = stat("capped", "upstream_rq_pending_total");
    try (var first = proxy.client(); var second = proxy.client(); var third = proxy.client()) {
      first.write("GET /capped/1 HTTP/1.1\r\nHost: x\r\n\r\n");
      await("the first stream upstream", () -> capped.streams.get() == streams + 1);
      second.write("GET /capped/2 HTTP/1.1\r\nHost: x\r\n\r\n");
      await("the second request pending, a second connection refused", () -> stat("capped", "upstream_rq_pending_active") == 1
          && stat("capped", "upstream_cx_overflow") > cxOverflow);
      assertThat(stat("capped", "upstream_cx_overflow") - cxOverflow).as("a second connection was refused").isEqualTo(1);
      var over = third.get("x", "/capped/3");
      assertThat(over.status()).isEqualTo(503);
      assertThat(over.body()).endsWith("reset reason: overflow");
      assertThat(first.read().body()).isEqualTo("h2:/capped/1");
      var waited = second.read();
      assertThat(waited.status()).isEqualTo(200);
      assertThat(waited.body()).isEqualTo("h2:/capped/2");
    }
    assertThat(capped.connections.get()).as("never a second connection").isEqualTo(1);
    assertThat(stat("capped", "upstream_rq_pending_total") - pendingTotal).isEqualTo(1);
    assertThat(stat("capped", "upstream_rq_pending_overflow") - pendingOverflow).isEqualTo(1);
    assertThat(stat("capped", "upstream_rq_pending_active")).isZero();
    assertThat(proxy.awaitLogLine("\"GET /capped/3 ")).contains("\" 503 UO ");
  }

  /** As Envoy: a pool with no connection to an endpoint opens one at the limit, counted as an overflow. */
  @Test
  void anEndpointWithoutAConnectionGetsOneEvenAtTheLimit() throws Exception {
    long cxOverflow = stat("spread", "upstream_cx_overflow");
    try (var c = proxy.client()) {
      for (int i = 0; i < 4; i++) {
        var res = c.get("x", "/spread/" + i);
        assertThat(res.status()).as("request " + i).isEqualTo(200);
      }
    }
    assertThat(left.connections.get()).isEqualTo(1);
    assertThat(right.connections.get()).isEqualTo(1);
    assertThat(left.streams.get() + right.streams.get()).isEqualTo(4);
    assertThat(stat("spread", "upstream_cx_overflow") - cxOverflow).as("the second endpoint's connection").isEqualTo(1);
  }

  /**
   * A connection retired by max_requests_per_connection still counts under max_connections until its
   * last stream ends; a request that needs a new connection meanwhile waits for its slot.
   */
  @Test
  void aRequestWaitsForTheSlotOfARetiringConnection() throws Exception {
    long cxOverflow = stat("retiring", "upstream_cx_overflow");
    try (var first = proxy.client(); var second = proxy.client(); var third = proxy.client()) {
      first.write("GET /retiring/1 HTTP/1.1\r\nHost: x\r\n\r\n");
      await("the first stream upstream", () -> retiring.streams.get() == 1);
      second.write("GET /retiring/2 HTTP/1.1\r\nHost: x\r\n\r\n");
      await("the second stream upstream, the connection's last", () -> retiring.streams.get() == 2);
      third.write("GET /retiring/3 HTTP/1.1\r\nHost: x\r\n\r\n");
      await("the third request pending, a second connection refused",
          () -> stat("retiring", "upstream_rq_pending_active") == 1 && stat("retiring", "upstream_cx_overflow") > cxOverflow);
      assertThat(stat("retiring", "upstream_cx_overflow") - cxOverflow).isEqualTo(1);
      assertThat(first.read().body()).isEqualTo("h2:/retiring/1");
      assertThat(second.read().body()).isEqualTo("h2:/retiring/2");
      var waited = third.read();
      assertThat(waited.status()).as("served on a new connection once the retired one closed").isEqualTo(200);
      assertThat(waited.body()).isEqualTo("h2:/retiring/3");
    }
    assertThat(retiring.connections.get()).isEqualTo(2);
    assertThat(stat("retiring", "upstream_cx_max_requests")).isEqualTo(1);
    assertThat(stat("retiring", "upstream_rq_pending_active")).isZero();
  }
}
