package io.meshwork.proxy.http;

import io.meshwork.proxy.cluster.ClusterRuntime;
import io.meshwork.proxy.cluster.Host;
import io.meshwork.proxy.transport.Transport;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.time.Duration;
import java.util.HashMap;

/**
 * HTTP/2 (cleartext, prior knowledge) to upstream endpoints, owned by one event loop: one connection
 * per cluster and endpoint, multiplexing every request of this loop as its own stream. A stream's
 * pipeline is {@code Http2StreamFrameToHttpObjectCodec → UpstreamHandler}, so {@link UpstreamCall}
 * works unchanged; "releasing" a stream closes it, the connection stays. The connection reads
 * continuously (HTTP/2 flow control is the back-pressure). Requests waiting for the connection to
 * be established are chained on its connect future.
 */
final class Http2ConnectionPool implements UpstreamPool {
  private final EventLoop loop;
  private final Transport transport;
  private final HashMap<Host.PoolKey, Future<Channel>> connections = new HashMap<>();

  private final io.meshwork.proxy.tls.TlsContexts tls;

  Http2ConnectionPool(EventLoop loop, Transport transport) {
    this(loop, transport, new io.meshwork.proxy.tls.TlsContexts());
  }

  Http2ConnectionPool(EventLoop loop, Transport transport, io.meshwork.proxy.tls.TlsContexts tls) {
    this.loop = loop;
    this.transport = transport;
    this.tls = tls;
  }

  @Override
  public EventLoop loop() {
    return loop;
  }

  @Override
  public Future<Channel> acquire(Host host, ClusterRuntime cluster) {
    return acquire(host, cluster, null);
  }

  @Override
  public Future<Channel> acquire(Host host, ClusterRuntime cluster, io.meshwork.proxy.capture.OriginalSource source) {
    var key = source == null ? host.poolKey() : source.poolKey(host);
    var connection = connections.get(key);
    if (connection == null || connection.isDone() && (!connection.isSuccess() || !connection.getNow().isActive())) {
      if (!cluster.tryOpenConnection()) {
        return loop.newFailedFuture(new Http1ConnectionPool.ConnectionOverflowException());
      }
      connection = connect(host, cluster, source, key);
      connections.put(key, connection);
    }
    Promise<Channel> stream = loop.newPromise();
    var pool = this;
    connection.addListener(c -> {
      if (!c.isSuccess()) {
        stream.setFailure(c.cause());
        return;
      }
      var parent = (Channel) c.getNow();
      var budget = StreamBudget.of(parent, cluster.config().maxRequestsPerConnection(), cluster.config().idleTimeout(),
          cluster.stats().upstreamCxIdleTimeout);
      if (budget.retired()) {
        // max_requests_per_connection: this connection takes no more streams; use (or open) the next one.
        acquire(host, cluster, source).addListener(again -> {
          if (again.isSuccess()) {
            if (!stream.trySuccess((Channel) again.getNow())) {
              ((Channel) again.getNow()).close();
            }
          } else {
            stream.tryFailure(again.cause());
          }
        });
        return;
      }
      if (budget.take()) {
        cluster.stats().upstreamCxMaxRequests.inc();
        connections.remove(key, c); // the next request opens a new connection; this one drains
      }
      new Http2StreamChannelBootstrap(parent).handler(new ChannelInitializer<Http2StreamChannel>() {
        @Override
        protected void initChannel(Http2StreamChannel ch) {
          ch.pipeline().addLast("codec", new Http2StreamFrameToHttpObjectCodec(false, true));
          ch.pipeline().addLast("upstream", new UpstreamHandler(pool, key));
        }
      }).open().addListener(s -> {
        if (s.isSuccess()) {
          ((Channel) s.getNow()).closeFuture().addListener(closed -> budget.streamEnded());
          stream.setSuccess((Channel) s.getNow());
        } else {
          budget.streamEnded();
          stream.setFailure(s.cause());
        }
      });
    });
    return stream;
  }

  private Future<Channel> connect(Host host, ClusterRuntime cluster, io.meshwork.proxy.capture.OriginalSource source,
      Host.PoolKey key) {
    var stats = cluster.stats();
    stats.upstreamCxTotal.inc();
    Promise<Channel> promise = loop.newPromise();
    var upstreamTls = io.meshwork.proxy.mtls.MeshTlsHandlers.choose(cluster.config(), host.config(), tls);
    var b = transport.client(loop, (int) Math.min(Integer.MAX_VALUE, cluster.config().connectTimeout().toMillis()))
        .option(ChannelOption.AUTO_READ, true)
        .handler(new ChannelInitializer<>() {
          @Override
          protected void initChannel(Channel ch) {
            if (upstreamTls != null) {
              var ssl = io.meshwork.proxy.mtls.MeshTlsHandlers.upstream(ch, tls, upstreamTls, host.address());
              if (ssl == null) {
                ch.close();
                return;
              }
              ch.pipeline().addLast("tls", ssl);
            }
            ch.pipeline().addLast("h2", Http2FrameCodecBuilder.forClient().build());
            ch.pipeline().addLast("h2-streams", new Http2MultiplexHandler(new ChannelInboundHandlerAdapter() {
              @Override
              public void channelRead(ChannelHandlerContext ctx, Object msg) {
                ReferenceCountUtil.release(msg); // server push is not used
              }
            }));
          }
        });
    var f = source == null ? b.connect(host.address()) : source.connect(b);
    var closer = cluster.connectionCloser(); // not the runtime: the connection may outlive it
    f.channel().closeFuture().addListener(closed -> {
      closer.run();
      var current = connections.get(key);
      if (current != null && current.isDone() && current.isSuccess() && current.getNow() == f.channel()) {
        connections.remove(key);
      }
    });
    f.addListener(done -> {
      var ssl = done.isSuccess() ? f.channel().pipeline().get(io.netty.handler.ssl.SslHandler.class) : null;
      if (ssl != null) {
        ssl.handshakeFuture().addListener(hs -> {
          if (hs.isSuccess()) {
            promise.setSuccess(f.channel());
          } else {
            stats.upstreamCxConnectFail.inc();
            connections.remove(key);
            f.channel().close();
            promise.setFailure(hs.cause());
          }
        });
      } else if (done.isSuccess() && !f.channel().isActive()) {
        stats.upstreamCxConnectFail.inc();
        connections.remove(key);
        promise.setFailure(new javax.net.ssl.SSLException("no workload certificate yet for upstream mTLS"));
      } else if (done.isSuccess()) {
        promise.setSuccess(f.channel());
      } else {
        stats.upstreamCxConnectFail.inc();
        if (done.cause() instanceof io.netty.channel.ConnectTimeoutException) {
          stats.upstreamCxConnectTimeout.inc();
        }
        connections.remove(key);
        promise.setFailure(done.cause());
      }
    });
    return promise;
  }

  @Override
  public void release(Channel stream, Duration idleTimeout) {
    stream.close();
  }

  @Override
  public void forget(Channel ch, UpstreamHandler handler) {
    // streams are single-use; the connection is tracked by its close future
  }
}
