package io.meshwork.proxy.it;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A cleartext HTTP/2 upstream whose first answer on a path is scripted by a path segment:
 * {@code /refuse-once/} resets the stream with REFUSED_STREAM, {@code /internal-once/} with
 * INTERNAL_ERROR, {@code /conflict-once/} answers 409; later requests on that path (and all others)
 * get 200 "h2:&lt;path&gt;". Resets are sent before any response header. Every time:
 * {@code /reset-after-headers/} answers the head and part of the body, then resets the stream with
 * INTERNAL_ERROR; {@code /close/} closes the whole connection (TCP) without answering. Counts
 * connections (total and open) and streams per path.
 */
final class ScriptedH2Upstream implements AutoCloseable {
  final AtomicInteger connections = new AtomicInteger();
  final AtomicInteger openConnections = new AtomicInteger();
  final ConcurrentHashMap<String, AtomicInteger> streamsByPath = new ConcurrentHashMap<>();
  private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final Channel server;

  ScriptedH2Upstream() throws InterruptedException {
    server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            connections.incrementAndGet();
            openConnections.incrementAndGet();
            ch.closeFuture().addListener(f -> openConnections.decrementAndGet());
            ch.pipeline().addLast(Http2FrameCodecBuilder.forServer().build(),
                new Http2MultiplexHandler(new ChannelInitializer<Http2StreamChannel>() {
                  @Override
                  protected void initChannel(Http2StreamChannel stream) {
                    stream.pipeline().addLast(new Script());
                  }
                }));
          }
        })
        .bind("127.0.0.1", 0).sync().channel();
  }

  int port() {
    return ((java.net.InetSocketAddress) server.localAddress()).getPort();
  }

  int streams(String path) {
    var n = streamsByPath.get(path);
    return n == null ? 0 : n.get();
  }

  /** Answers (or resets) once the request's end of stream has arrived. */
  private final class Script extends ChannelInboundHandlerAdapter {
    private String path;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      boolean end = false;
      if (msg instanceof Http2HeadersFrame h) {
        path = h.headers().path().toString();
        end = h.isEndStream();
      } else if (msg instanceof Http2DataFrame d) {
        end = d.isEndStream();
      }
      ReferenceCountUtil.release(msg);
      if (!end || path == null) {
        return;
      }
      int n = streamsByPath.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
      if (path.contains("/close/")) {
        ctx.channel().parent().close();
      } else if (path.contains("/reset-after-headers/")) {
        ctx.write(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().status("200").set("content-type", "text/plain")));
        ctx.writeAndFlush(new DefaultHttp2DataFrame(Unpooled.copiedBuffer("partial", StandardCharsets.UTF_8), false));
        ctx.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.INTERNAL_ERROR));
      } else if (n == 1 && path.contains("/refuse-once/")) {
        ctx.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.REFUSED_STREAM));
      } else if (n == 1 && path.contains("/internal-once/")) {
        ctx.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.INTERNAL_ERROR));
      } else {
        var status = n == 1 && path.contains("/conflict-once/") ? "409" : "200";
        var headers = new DefaultHttp2Headers().status(status).set("content-type", "text/plain");
        ctx.write(new DefaultHttp2HeadersFrame(headers));
        ctx.writeAndFlush(new DefaultHttp2DataFrame(
            Unpooled.copiedBuffer("h2:" + path, StandardCharsets.UTF_8), true));
      }
    }
  }

  @Override
  public void close() {
    server.close().syncUninterruptibly();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
