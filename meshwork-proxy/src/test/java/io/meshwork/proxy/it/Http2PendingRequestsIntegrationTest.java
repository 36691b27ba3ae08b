package io.meshwork.proxy.it;

import static io.meshwork.proxy.it.ProxyHarness.http;
import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.testing.FakeUpstream;
import io.meshwork.testing.LeakDetectionExtension;
import io.meshwork.testing.Reply;
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
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Pending requests on the HTTP/2 upstream pool: when the connection's streams are all in use (the
 * peer's SETTINGS_MAX_CONCURRENT_STREAMS) and {@code max_connections} (1 here) forbids another
 * connection, a request waits for a stream under {@code max_pending_requests}
 * and overflows with 503 UO beyond it; Envoy's {@code upstream_rq_pending_total},
 * {@code upstream_rq_pending_overflow} and the {@code upstream_rq_pending_active} gauge count it, for
 * the HTTP/1.1 pool too. One event loop, so every client shares one upstream pool.
 */
@ExtendWith(LeakDetectionExtension.class)
class Http2PendingRequestsIntegrationTest {
  @RegisterExtension static FakeUpstream a = FakeUpstream.named("a");
  static final EventLoopGroup GROUP = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  static final AtomicInteger STREAMS = new AtomicInteger();
  static final AtomicInteger CONNECTIONS = new AtomicInteger();
  static Channel h2;
  static ProxyHarness proxy;

  /** An h2c upstream allowing ONE concurrent stream, answering each request after 1 s. */
  static Channel slowSingleStreamUpstream() throws InterruptedException {
    return new ServerBootstrap().group(GROUP).channel(NioServerSocketChannel.class)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            CONNECTIONS.incrementAndGet();
            ch.pipeline().addLast(Http2FrameCodecBuilder.forServer()
                    .initialSettings(Http2Settings.defaultSettings().maxConcurrentStreams(1)).build(),
                new Http2MultiplexHandler(new ChannelInitializer<Http2StreamChannel>() {
                  @Override
                  protected void initChannel(Http2StreamChannel stream) {
                    STREAMS.incrementAndGet();
                    stream.pipeline().addLast(new Http2StreamFrameToHttpObjectCodec(true), new HttpObjectAggregator(1 << 20),
                        new SimpleChannelInboundHandler<FullHttpRequest>() {
                          @Override
                          protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
                            var body = Unpooled.copiedBuffer("h2:" + req.uri(), StandardCharsets.UTF_8);
                            var res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, body);
                            ctx.executor().schedule(() -> ctx.writeAndFlush(res), 1, TimeUnit.SECONDS);
                          }
                        });
                  }
                }));
          }
        })
        .bind("127.0.0.1", 0).sync().channel();
  }

  @BeforeAll
  static void start() throws Exception {
    h2 = slowSingleStreamUpstream();
    int h2Port = ((java.net.InetSocketAddress) h2.localAddress()).getPort();
    proxy = ProxyHarness.start(1, http("""
        virtual_hosts:
        - name: all
          domains: ["*"]
          routes:
          - match: {prefix: "/h1"}
            route: {cluster: h1, timeout: 30s}
          - match: {prefix: "/max"}
            route: {cluster: h2max, timeout: 30s}
          - match: {prefix: "/"}
            route: {cluster: h2, timeout: 30s}
        """, """
        - name: h2
          connect_timeout: 1s
          type: STATIC
          circuit_breakers: {thresholds: [{max_connections: 1, max_pending_requests: 1}]}
          typed_extension_protocol_options:
            envoy.extensions.upstreams.http.v3.HttpProtocolOptions:
              "@type": type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions
              explicit_http_config: {http2_protocol_options: {}}
          load_assignment:
            cluster_name: h2
            endpoints: [{lb_endpoints: [{endpoint: {address: {socket_address: {address: 127.0.0.1, port_value: %1$d}}}}]}]
        - name: h2max
          connect_timeout: 1s
          type: STATIC
          circuit_breakers: {thresholds: [{max_connections: 1, max_pending_requests: 2}]}
          typed_extension_protocol_options:
            envoy.extensions.upstreams.http.v3.HttpProtocolOptions:
              "@type": type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions
              common_http_protocol_options: {max_requests_per_connection: 3}
              explicit_http_config: {http2_protocol_options: {}}
          load_assignment:
            cluster_name: h2max
            endpoints: [{lb_endpoints: [{endpoint: {address: {socket_address: {address: 127.0.0.1, port_value: %1$d}}}}]}]
        - name: h1
          connect_timeout: 1s
          type: STATIC
          circuit_breakers: {thresholds: [{max_connections: 1, max_pending_requests: 1}]}
          load_assignment:
            cluster_name: h1
            endpoints: [{lb_endpoints: [{endpoint: {address: {socket_address: {address: 127.0.0.1, port_value: ${a}}}}}]}]
        """.formatted(h2Port)), a);
  }

  @AfterAll
  static void stop() {
    proxy.close();
    h2.close().syncUninterruptibly();
    GROUP.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("waiting for " + what).isLessThan(deadline);
      Thread.sleep(10);
    }
  }

  @Test
  void aRequestOverTheStreamLimitWaitsForAStreamAndOneMoreOverflows() throws Exception {
    try (var warm = proxy.client()) {
      assertThat(warm.get("x", "/warm").status()).as("learns the peer's SETTINGS").isEqualTo(200);
    }
    long total = proxy.stat("cluster.h2.upstream_rq_pending_total");
    long overflow = proxy.stat("cluster.h2.upstream_rq_pending_overflow");
    int streams = STREAMS.get();
    try (var first = proxy.client(); var second = proxy.client(); var third = proxy.client()) {
      first.write("GET /1 HTTP/1.1\r\nHost: x\r\n\r\n");
      await("the first stream upstream", () -> STREAMS.get() == streams + 1);
      second.write("GET /2 HTTP/1.1\r\nHost: x\r\n\r\n");
      await("the second request pending", () -> proxy.stat("cluster.h2.upstream_rq_pending_active") == 1);
      var over = third.get("x", "/3");
      assertThat(over.status()).isEqualTo(503);
      assertThat(over.body()).endsWith("reset reason: overflow");
      assertThat(first.read().body()).isEqualTo("h2:/1");
      var queued = second.read();
      assertThat(queued.status()).isEqualTo(200);
      assertThat(queued.body()).isEqualTo("h2:/2");
    }
    assertThat(STREAMS.get() - streams).as("never more than the allowed stream at once: no refused stream").isEqualTo(2);
    assertThat(CONNECTIONS.get()).as("the waiting request used the one connection").isEqualTo(1);
    assertThat(proxy.stat("cluster.h2.upstream_rq_pending_total") - total).isEqualTo(1);
    assertThat(proxy.stat("cluster.h2.upstream_rq_pending_overflow") - overflow).isEqualTo(1);
    assertThat(proxy.stat("cluster.h2.upstream_rq_pending_active")).isZero();
    assertThat(proxy.awaitLogLine("\"GET /3 ")).contains("\" 503 UO ");
  }

  @Test
  void theHttp1PoolCountsItsPendingRequestsToo() throws Exception {
    a.respondWith(Reply.ok("slow").withDelay(Duration.ofMillis(1000)));
    long total = proxy.stat("cluster.h1.upstream_rq_pending_total");
    try (var first = proxy.client(); var second = proxy.client()) {
      first.write("GET /h1/1 HTTP/1.1\r\nHost: x\r\n\r\n");
      await("the first request upstream", () -> a.requests().size() == 1);
      second.write("GET /h1/2 HTTP/1.1\r\nHost: x\r\n\r\n");
      await("the second request pending", () -> proxy.stat("cluster.h1.upstream_rq_pending_active") == 1);
      assertThat(first.read().status()).isEqualTo(200);
      assertThat(second.read().status()).isEqualTo(200);
    }
    assertThat(proxy.stat("cluster.h1.upstream_rq_pending_total") - total).isEqualTo(1);
    assertThat(proxy.stat("cluster.h1.upstream_rq_pending_active")).isZero();
  }

  /**
   * max_requests_per_connection with waiting requests: when the stream that retires a connection
   * opens, the requests still waiting for that connection can never get a stream there; they move
   * to the next connection instead of failing when the retired one closes.
   */
  @Test
  void requestsWaitingOnAConnectionThatRetiresMoveToTheNextOne() throws Exception {
    try (var warm = proxy.client()) {
      assertThat(warm.get("x", "/max/warm").status()).as("learns the peer's SETTINGS; 1 of 3 requests").isEqualTo(200);
    }
    int connections = CONNECTIONS.get();
    int streams = STREAMS.get();
    long maxed = proxy.stat("cluster.h2max.upstream_cx_max_requests");
    try (var first = proxy.client(); var second = proxy.client(); var third = proxy.client()) {
      first.write("GET /max/1 HTTP/1.1\r\nHost: x\r\n\r\n");
      await("the first stream upstream", () -> STREAMS.get() == streams + 1);
      second.write("GET /max/2 HTTP/1.1\r\nHost: x\r\n\r\n");
      await("the second request pending", () -> proxy.stat("cluster.h2max.upstream_rq_pending_active") == 1);
      third.write("GET /max/3 HTTP/1.1\r\nHost: x\r\n\r\n");
      await("the third request pending", () -> proxy.stat("cluster.h2max.upstream_rq_pending_active") == 2);
      assertThat(first.read().body()).isEqualTo("h2:/max/1");
      var second2 = second.read();
      assertThat(second2.status()).as("the connection's third and last request").isEqualTo(200);
      assertThat(second2.body()).isEqualTo("h2:/max/2");
      var moved = third.read();
      assertThat(moved.status()).as("moved to a new connection, not failed with the retired one").isEqualTo(200);
      assertThat(moved.body()).isEqualTo("h2:/max/3");
    }
    assertThat(CONNECTIONS.get() - connections).as("one new connection after the retired one").isEqualTo(1);
    assertThat(proxy.stat("cluster.h2max.upstream_cx_max_requests") - maxed).isEqualTo(1);
    assertThat(proxy.stat("cluster.h2max.upstream_rq_pending_active")).isZero();
  }
}
