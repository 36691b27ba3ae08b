package io.meshwork.testing;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
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
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * An HTTP/1.1 server on loopback port 0 for integration tests. By default it answers 200 with its
 * own name as the body (so a test can tell which upstream served a request); a test scripts other
 * replies with {@link #respondWith}. It records every request, counts connections, and counts
 * requests whose connection closed before the reply was sent ({@link #abandoned()}), which is how a
 * test sees that the proxy cancelled an upstream request.
 *
 * <p>Use it as a JUnit extension ({@code @RegisterExtension static FakeUpstream a = FakeUpstream.named("a")}:
 * started before all tests, reset before each, stopped after all) or start/close it by hand.
 */
public final class FakeUpstream implements BeforeAllCallback, BeforeEachCallback, AfterAllCallback, AutoCloseable {
  private final String name;
  private final List<RecordedRequest> requests = new CopyOnWriteArrayList<>();
  private final AtomicInteger connections = new AtomicInteger();
  private final AtomicInteger abandoned = new AtomicInteger();
  private volatile Function<RecordedRequest, Reply> script;
  private EventLoopGroup group;
  /**
   * Accepted connections, closed explicitly by {@link #close}: the event loop's shutdown alone once
   * left keep-alive connections open and unread, so a proxy that pooled them hung on its next request
   * there (a killed process closes every socket; a stopped FakeUpstream must too).
   */
  private final java.util.Set<Channel> children = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private volatile boolean closing;
  private Channel server;

  private FakeUpstream(String name) {
    this.name = name;
    this.script = r -> Reply.ok(name);
  }

  public static FakeUpstream named(String name) {
    return new FakeUpstream(name);
  }

  /** Starts listening on 127.0.0.1 and an ephemeral port. */
  public synchronized FakeUpstream start() throws InterruptedException {
    return start(0);
  }

  /**
   * Starts listening on 127.0.0.1 and {@code port} (0: ephemeral), so that a test can stop an
   * upstream and bring it back at the same address, as a restarted workload comes back.
   */
  public synchronized FakeUpstream start(int port) throws InterruptedException {
    if (server != null) {
      return this;
    }
    closing = false;
    group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            children.add(ch);
            ch.closeFuture().addListener(f -> children.remove(ch));
            if (closing) {
              ch.close();
              return;
            }
            int id = connections.incrementAndGet();
            ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(16 << 20), new Handler(id));
          }
        })
        .bind("127.0.0.1", port).sync().channel();
    return this;
  }

  public int port() {
    return ((java.net.InetSocketAddress) server.localAddress()).getPort();
  }

  public String name() {
    return name;
  }

  /** Replies to every request with the same reply. */
  public FakeUpstream respondWith(Reply reply) {
    return respondWith(r -> reply);
  }

  /** Replies computed per request (e.g. fail the first, succeed the second). */
  public FakeUpstream respondWith(Function<RecordedRequest, Reply> script) {
    this.script = script;
    return this;
  }

  public List<RecordedRequest> requests() {
    return List.copyOf(requests);
  }

  /** Connections accepted since the last reset. */
  public int connections() {
    return connections.get();
  }

  /** Requests whose connection closed before their reply was written. */
  public int abandoned() {
    return abandoned.get();
  }

  /** Forgets requests and counters and restores the default reply. */
  public void reset() {
    requests.clear();
    connections.set(0);
    abandoned.set(0);
    script = r -> Reply.ok(name);
  }

  @Override
  public synchronized void close() {
    if (server != null) {
      closing = true;
      server.close().syncUninterruptibly();
      for (var ch : List.copyOf(children)) {
        ch.close().syncUninterruptibly();
      }
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
      server = null;
    }
  }

  @Override
  public void beforeAll(ExtensionContext context) throws InterruptedException {
    start();
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    reset();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    close();
  }

  private final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private final int connectionId;
    private boolean replyPending;

    Handler(int connectionId) {
      this.connectionId = connectionId;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
      var headers = new LinkedHashMap<String, List<String>>();
      for (var e : req.headers()) {
        headers.computeIfAbsent(e.getKey().toLowerCase(Locale.ROOT), k -> new ArrayList<>()).add(e.getValue());
      }
      var recorded = new RecordedRequest(req.method().name(), req.uri(), headers,
          req.content().toString(StandardCharsets.UTF_8), connectionId);
      requests.add(recorded);
      var reply = script.apply(recorded);
      boolean keepAlive = HttpUtil.isKeepAlive(req);
      switch (reply.kind()) {
        case NEVER -> replyPending = true;
        case RESET -> ctx.close();
        case RESPOND -> {
          replyPending = true;
          if (reply.delay().isZero()) {
            send(ctx, reply, keepAlive);
          } else {
            ctx.executor().schedule(() -> send(ctx, reply, keepAlive), reply.delay().toMillis(), TimeUnit.MILLISECONDS);
          }
        }
      }
    }

    private void send(ChannelHandlerContext ctx, Reply reply, boolean keepAlive) {
      if (!ctx.channel().isActive()) {
        return;
      }
      replyPending = false;
      var body = Unpooled.copiedBuffer(reply.body(), StandardCharsets.UTF_8);
      var res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(reply.status()), body);
      reply.headers().forEach((k, v) -> res.headers().set(k, v));
      res.headers().set("x-upstream-name", name);
      res.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
      HttpUtil.setKeepAlive(res, keepAlive);
      var f = ctx.writeAndFlush(res);
      if (!keepAlive) {
        f.addListener(ChannelFutureListener.CLOSE);
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      if (replyPending) {
        abandoned.incrementAndGet();
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }
}
