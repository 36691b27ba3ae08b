package io.meshwork.bench.backend;

import io.meshwork.proxy.transport.Transport;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2Settings;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * Answers every request with 200: the request body echoed back when {@code responseBytes < 0}, else
 * {@code responseBytes} bytes, after {@code delayMillis}. Keep-alive unless the client asks to close.
 * HTTP/1.1 and h2c (prior knowledge) share the port; over HTTP/2 a gRPC request gets a gRPC answer
 * (see {@link H2Echo}).
 * {@code /ready} answers at once, so the orchestrator can wait for it.
 */
public final class EchoBackend implements AutoCloseable {
  private final EventLoopGroup group;
  private final Channel server;

  private EchoBackend(EventLoopGroup group, Channel server) {
    this.group = group;
    this.server = server;
  }

  public static EchoBackend start(String host, int port, int threads, int responseBytes, long delayMillis) throws InterruptedException {
    var transport = Transport.detect();
    var group = transport.newGroup(threads);
    ByteBuf fixed = responseBytes < 0 ? null
        : Unpooled.unreleasableBuffer(Unpooled.directBuffer(responseBytes).writeBytes(filler(responseBytes)));
    var server = new io.netty.bootstrap.ServerBootstrap().group(group).channel(transport.serverChannel())
        .option(ChannelOption.SO_BACKLOG, 1024)
        .option(ChannelOption.SO_REUSEADDR, true)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childOption(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ch.pipeline().addLast(new PrefaceSniffer(
                p -> p.addLast(new HttpServerCodec(), new HttpObjectAggregator(16 << 20), new Echo(fixed, delayMillis)),
                p -> p.addLast(Http2FrameCodecBuilder.forServer()
                    .initialSettings(Http2Settings.defaultSettings().maxConcurrentStreams(1024)).build(), new H2Echo(fixed, delayMillis))));
          }
        }).bind(host, port).sync().channel();
    return new EchoBackend(group, server);
  }

  private static byte[] filler(int n) {
    var b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) ('A' + (i % 26));
    }
    return b;
  }

  public int port() {
    return ((InetSocketAddress) server.localAddress()).getPort();
  }

  @Override
  public void close() {
    server.close().awaitUninterruptibly();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
  }

  private static final class Echo extends SimpleChannelInboundHandler<FullHttpRequest> {
    private final ByteBuf fixed;
    private final long delayMillis;

    Echo(ByteBuf fixed, long delayMillis) {
      this.fixed = fixed;
      this.delayMillis = delayMillis;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
      boolean ready = req.uri().equals("/ready");
      ByteBuf body = ready ? Unpooled.EMPTY_BUFFER : fixed != null ? fixed.retainedDuplicate() : req.content().retainedDuplicate();
      var res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, body);
      res.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_OCTET_STREAM);
      HttpUtil.setContentLength(res, body.readableBytes());
      boolean keepAlive = HttpUtil.isKeepAlive(req);
      Runnable write = () -> {
        var f = ctx.writeAndFlush(res);
        if (!keepAlive) {
          f.addListener(ChannelFutureListener.CLOSE);
        }
      };
      if (delayMillis > 0 && !ready) {
        ctx.executor().schedule(write, delayMillis, TimeUnit.MILLISECONDS);
      } else {
        write.run();
      }
    }
  }
}
