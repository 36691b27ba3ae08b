package io.meshwork.proxy.http;

import io.meshwork.proxy.runtime.HttpListenerRuntime;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;

/**
 * Last handler of a downstream HTTP/1.1 connection:
 * {@code Http1RequestDecoder → HttpResponseEncoder → HttpObjectAggregator → DownstreamHandler}.
 * Serves one {@link Exchange} at a time, in order (HTTP/1.1 pipelining); requests that arrive
 * meanwhile wait in a short queue, and reading stops when it is full. While an exchange runs the
 * connection keeps one read outstanding, so that a client that disconnects is noticed at once and
 * its upstream request cancelled (flag DC). On an HTTP/2 stream the body of a streamed request
 * ({@link StreamedRequest}) arrives after its head as {@code HttpContent}, which goes to the exchange.
 * Each request reads the current snapshot, so route updates apply to keep-alive connections from
 * their next request on.
 */
public final class DownstreamHandler extends ChannelInboundHandlerAdapter {
  private static final int MAX_QUEUED = 4;
  private final String listenerName;
  private final HttpServices services;
  private final String protocol;
  private final ArrayDeque<FullHttpRequest> queued = new ArrayDeque<>();
  private HttpListenerRuntime listener;
  private Exchange active;
  private boolean closing;

  /** {@code protocol} is what the access log shows: "HTTP/1.1" or "HTTP/2" (one handler per h2 stream). */
  public DownstreamHandler(String listenerName, HttpServices services, String protocol) {
    this.listenerName = listenerName;
    this.services = services;
    this.protocol = protocol;
  }

  String protocol() {
    return protocol;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    activate(ctx);
    ctx.fireChannelActive();
  }

  /** Runs once the channel is active, whether this handler was there at accept or added after sniffing/ALPN. */
  private void activate(ChannelHandlerContext ctx) {
    if (listener != null) {
      return;
    }
    listener = services.snapshots().current().http().get(listenerName);
    if (listener == null) {
      ctx.close();
      return;
    }
    ctx.read();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof FullHttpRequest req) || closing) {
      if (msg instanceof HttpContent c && active != null && !closing) {
        active.requestContent(c); // a streamed request's body (GrpcRequestStreamer): the exchange takes it over
        return;
      }
      ReferenceCountUtil.release(msg);
      return;
    }
    if (active != null) {
      queued.add(req);
      if (queued.size() < MAX_QUEUED) {
        ctx.read();
      }
      return;
    }
    start(ctx, req);
  }

  private void start(ChannelHandlerContext ctx, FullHttpRequest req) {
    var snapshot = services.snapshots().current();
    var current = snapshot.http().get(listenerName);
    if (current != null) {
      listener = current; // a removed listener's connections drain on the config they had
    }
    var exchange = new Exchange(ctx, this, listener, snapshot, services, req);
    active = exchange;
    // Keep a read outstanding to notice a client that leaves; not for upgrades, whose next bytes
    // belong to the new protocol and must not reach the HTTP decoder.
    if (req.decoderResult().isSuccess() && Http1Checks.upgradeType(req) == null) {
      ctx.read();
    }
    exchange.run();
  }

  /** Called by the exchange once its response is complete (or abandoned). */
  void exchangeDone(Exchange exchange, boolean keepAlive) {
    if (active != exchange) {
      return;
    }
    active = null;
    var ctx = exchangeContext;
    if (!keepAlive) {
      closing = true;
      releaseQueued();
      return;
    }
    var next = queued.poll();
    if (next != null) {
      start(ctx, next);
    } else {
      ctx.read();
    }
  }

  private ChannelHandlerContext exchangeContext;
  /** The route timeout of the exchange in progress; one per connection (see LazyDeadline). */
  private LazyDeadline routeDeadline;

  LazyDeadline routeDeadline(ChannelHandlerContext ctx) {
    if (routeDeadline == null) {
      routeDeadline = new LazyDeadline(ctx.executor());
    }
    return routeDeadline;
  }
  /** The listener was removed: answer the exchange in progress with connection: close, take no more. */
  private boolean draining;

  boolean draining() {
    return draining;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    exchangeContext = ctx;
    if (ctx.channel().isActive()) {
      activate(ctx);
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    closing = true;
    var a = active;
    active = null;
    if (a != null) {
      a.downstreamClosed();
    }
    releaseQueued();
    if (routeDeadline != null) {
      routeDeadline.close();
    }
  }

  /** HCM idle timeout: close a keep-alive connection with no exchange in progress (never one mid-exchange). */
  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt == ConnectionDrain.EVENT) {
      draining = true; // the next response says connection: close
      if (active == null && queued.isEmpty()) {
        ctx.close();
      }
      return;
    }
    if (evt instanceof io.netty.handler.timeout.IdleStateEvent) {
      if (active == null && queued.isEmpty() && listener != null) {
        listener.stats().downstreamCxIdleTimeout.inc();
        ctx.close();
      }
      return;
    }
    ctx.fireUserEventTriggered(evt);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close();
  }

  private void releaseQueued() {
    FullHttpRequest r;
    while ((r = queued.poll()) != null) {
      r.release();
    }
  }
}
