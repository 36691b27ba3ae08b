package io.meshwork.proxy.it;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.codec.http2.Http2StreamFrame;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** A minimal HTTP/2 cleartext client with prior knowledge (what java.net.http cannot do), for tests. */
final class H2cClient implements AutoCloseable {
  record Response(int status, Http2Headers headers, String body, Http2Headers trailers) {}

  private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final Channel channel;
  /** Completes with the error code of the first GOAWAY the server sends. */
  final CompletableFuture<Long> goAway = new CompletableFuture<>();

  H2cClient(int port) throws InterruptedException {
    channel = new Bootstrap().group(group).channel(NioSocketChannel.class)
        .handler(new ChannelInitializer<>() {
          @Override
          protected void initChannel(Channel ch) {
            ch.pipeline().addLast(Http2FrameCodecBuilder.forClient().build(),
                new Http2MultiplexHandler(new SimpleChannelInboundHandler<Object>() {
                  @Override
                  protected void channelRead0(ChannelHandlerContext ctx, Object msg) {
                    // no server push expected
                  }
                }),
                new SimpleChannelInboundHandler<io.netty.handler.codec.http2.Http2GoAwayFrame>() {
                  @Override
                  protected void channelRead0(ChannelHandlerContext ctx, io.netty.handler.codec.http2.Http2GoAwayFrame f) {
                    goAway.complete(f.errorCode());
                  }
                });
          }
        })
        .connect("127.0.0.1", port).sync().channel();
  }

  /** Sends one request on a new stream and waits for the whole response. */
  Response send(String method, String authority, String path, String body) throws Exception {
    return send(method, authority, path, body, null);
  }

  /** As above, with an optional content-type (e.g. "application/grpc"). */
  Response send(String method, String authority, String path, String body, String contentType) throws Exception {
    var result = new CompletableFuture<Response>();
    var stream = new Http2StreamChannelBootstrap(channel).handler(new SimpleChannelInboundHandler<Http2StreamFrame>() {
      private Http2Headers headers;
      private Http2Headers trailers;
      private final StringBuilder content = new StringBuilder();

      @Override
      protected void channelRead0(ChannelHandlerContext ctx, Http2StreamFrame frame) {
        boolean end = false;
        if (frame instanceof Http2HeadersFrame h) {
          if (headers == null) {
            headers = h.headers();
          } else {
            trailers = h.headers();
          }
          end = h.isEndStream();
        } else if (frame instanceof Http2DataFrame d) {
          content.append(d.content().toString(StandardCharsets.UTF_8));
          end = d.isEndStream();
        }
        if (end) {
          result.complete(new Response(Integer.parseInt(headers.status().toString()), headers, content.toString(), trailers));
        }
      }

      @Override
      public void channelInactive(ChannelHandlerContext ctx) {
        result.completeExceptionally(new IllegalStateException("stream closed without a complete response"));
      }
    }).open().sync().getNow();
    var h = new DefaultHttp2Headers().method(method).scheme("http").authority(authority).path(path);
    if (contentType != null) {
      h.set("content-type", contentType);
    }
    stream.write(new DefaultHttp2HeadersFrame(h, body == null));
    if (body != null) {
      stream.write(new DefaultHttp2DataFrame(Unpooled.copiedBuffer(body, StandardCharsets.UTF_8), true));
    }
    stream.flush();
    return result.get(10, TimeUnit.SECONDS);
  }

  /** Whether the connection is still open. */
  boolean isOpen() {
    return channel.isActive();
  }

  /** Opens a stream and sends a body-less request on it without waiting for an answer (see {@link #reset}). */
  Channel start(String method, String authority, String path) throws InterruptedException {
    var stream = new Http2StreamChannelBootstrap(channel).handler(new SimpleChannelInboundHandler<Http2StreamFrame>() {
      @Override
      protected void channelRead0(ChannelHandlerContext ctx, Http2StreamFrame frame) {
        // the answer, if any, is not looked at
      }
    }).open().sync().getNow();
    var h = new DefaultHttp2Headers().method(method).scheme("http").authority(authority).path(path);
    stream.writeAndFlush(new DefaultHttp2HeadersFrame(h, true)).sync();
    return stream;
  }

  /** Cancels a stream from {@link #start} with RST_STREAM (CANCEL), as a client giving up on one request does. */
  void reset(Channel stream) throws InterruptedException {
    stream.writeAndFlush(new io.netty.handler.codec.http2.DefaultHttp2ResetFrame(
        io.netty.handler.codec.http2.Http2Error.CANCEL)).sync();
  }

  @Override
  public void close() {
    channel.close().syncUninterruptibly();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
