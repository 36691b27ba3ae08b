package io.meshwork.proxy.listener;

import io.meshwork.proxy.config.ListenerConfig;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * First handler of a {@link ListenerConfig.Chains} listener's connection: runs the listener filters
 * on the bytes the client sends first, picks the filter chain, installs that chain's initializer
 * after itself and removes itself, which hands every byte read so far to the chain's pipeline
 * (nothing is consumed). It writes nothing; it closes the connection when no chain matches, or
 * when {@code listener_filters_timeout} passes without {@code continue_on_listener_filters_timeout}.
 *
 * <p>Waiting is bounded twice: by {@link HttpInspection#MAX_INSPECT_BYTES} (more bytes without a
 * request line: not HTTP) and by the timeout, after which a client that sends nothing (a
 * server-first protocol such as MySQL, or a client waiting for a banner) gets the chain without an
 * application protocol, as Envoy continues. Reads are explicit (AUTO_READ off):
 * {@link ByteToMessageDecoder} asks for the next read while nothing was decided.
 */
final class ListenerChainSelector extends ByteToMessageDecoder {
  /** Set on a channel whose chain was chosen here: the chain's handlers join an already active channel. */
  static final AttributeKey<Boolean> SELECTED = AttributeKey.valueOf("meshwork.filterChainSelected");

  private final ListenerConfig.Chains chains;
  private final SelectorStats stats;
  private final Function<ListenerConfig, ChannelHandler> initializers;
  private final boolean inspectTls;
  private final boolean inspectHttp;
  private ScheduledFuture<?> timeout;
  private boolean decided;

  ListenerChainSelector(ListenerConfig.Chains chains, SelectorStats stats, Function<ListenerConfig, ChannelHandler> initializers) {
    this.chains = chains;
    this.stats = stats;
    this.initializers = initializers;
    this.inspectTls = needsTls(chains);
    this.inspectHttp = needsHttp(chains);
  }

  /** The TLS inspector matters only when some chain names a transport protocol. */
  static boolean needsTls(ListenerConfig.Chains c) {
    return c.filters().tlsInspector() && c.chains().stream().anyMatch(f -> !f.transportProtocol().isEmpty());
  }

  /** The HTTP inspector matters only when some chain lists application protocols. */
  static boolean needsHttp(ListenerConfig.Chains c) {
    return c.filters().httpInspector() && c.chains().stream().anyMatch(f -> !f.applicationProtocols().isEmpty());
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
    super.handlerAdded(ctx);
    var t = chains.filters().timeout();
    if (!t.isZero()) {
      timeout = ctx.executor().schedule(() -> onTimeout(ctx), t.toNanos(), TimeUnit.NANOSECONDS);
    }
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) throws Exception {
    ctx.read();
    super.channelActive(ctx);
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    if (decided || !in.isReadable()) {
      return;
    }
    var transport = transport(in);
    if (!inspectHttp || transport.equals("tls")) {
      decide(ctx, transport, List.of()); // Envoy's http_inspector does not look inside TLS
      return;
    }
    var result = HttpInspection.inspect(in);
    switch (result) {
      case NEED_MORE -> { } // ByteToMessageDecoder reads again (AUTO_READ is off)
      case HTTP10 -> {
        stats.http10Found.inc();
        decide(ctx, transport, List.of(result.applicationProtocol()));
      }
      case HTTP11 -> {
        stats.http11Found.inc();
        decide(ctx, transport, List.of(result.applicationProtocol()));
      }
      case HTTP2 -> {
        stats.http2Found.inc();
        decide(ctx, transport, List.of(result.applicationProtocol()));
      }
      case NOT_HTTP -> {
        stats.httpNotFound.inc();
        decide(ctx, transport, List.of());
      }
    }
  }

  /** {@code tls} when the TLS inspector runs and the first byte opens a TLS handshake record; else {@code raw_buffer}. */
  private String transport(ByteBuf in) {
    return inspectTls && in.isReadable() && in.getUnsignedByte(in.readerIndex()) == 22 ? "tls" : "raw_buffer";
  }

  private void onTimeout(ChannelHandlerContext ctx) {
    if (decided || ctx.isRemoved()) {
      return;
    }
    stats.preCxTimeout.inc();
    if (!chains.filters().continueOnTimeout()) {
      decided = true;
      ctx.close();
      return;
    }
    var cumulation = internalBuffer();
    decide(ctx, transport(cumulation), List.of());
  }

  private void decide(ChannelHandlerContext ctx, String transport, List<String> protocols) {
    decided = true;
    if (timeout != null) {
      timeout.cancel(false);
    }
    var chain = chains.select(transport, protocols);
    var handler = chain == null ? null : initializers.apply(chain);
    if (handler == null) {
      stats.noFilterChainMatch.inc();
      ctx.close();
      return;
    }
    ctx.channel().attr(SELECTED).set(true);
    var p = ctx.pipeline();
    p.addAfter(ctx.name(), null, handler); // a ChannelInitializer: builds the chain's pipeline now
    p.remove(this); // hands what was read to the chain's handlers
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    if (!decided) {
      decided = true;
      stats.remoteClose.inc();
      if (timeout != null) {
        timeout.cancel(false);
      }
    }
    super.channelInactive(ctx);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (decided) {
      ctx.fireExceptionCaught(cause);
      return;
    }
    decided = true;
    if (timeout != null) {
      timeout.cancel(false);
    }
    if (inspectHttp) {
      stats.readError.inc();
    }
    stats.listenerFilterError.inc();
    ctx.close();
  }
}
