package io.meshwork.proxy.chains;

import io.meshwork.proxy.capture.Captured;
import io.meshwork.proxy.config.ConnectionFacts;
import io.meshwork.proxy.config.FilterChainSelector;
import io.meshwork.proxy.config.ListenerConfig;
import io.meshwork.proxy.runtime.SnapshotHolder;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The child handler of a listener with several filter chains. At accept it reads the listener of
 * the current snapshot; when no chain needs inspection (destination port and IP only) it picks the
 * chain at once, otherwise it adds an inspector that waits for the first TLS record, reads SNI and
 * ALPN from it as Envoy's {@code tls_inspector} does, or, on a plaintext connection, runs the
 * {@code http_inspector} ({@link HttpInspection}: request line or h2c preface, at most 8 KiB) when
 * the listener has it and a chain lists application protocols, and then picks. Bytes are peeked,
 * never consumed: the chosen chain's own initializer is installed after the inspector, told that
 * the channel is active, and given every byte read so far; the inspector then removes itself. It
 * writes nothing; no chain matches: the connection is closed (Envoy's
 * {@code downstream_cx_no_filter_chain_match}, counted as {@code no_filter_chain_match}, see
 * {@link SelectorStats}). The destination is the original one for captured connections, else the
 * local address.
 */
public final class FilterChainInitializer extends ChannelInitializer<SocketChannel> {
  private final String listenerName;
  private final SnapshotHolder snapshots;
  private final Function<ListenerConfig, ChannelHandler> initializers;
  /** Counters per bound address (the listener's Envoy scope); a listener is rarely rebound, so this stays small. */
  private final Map<SocketAddress, SelectorStats> stats = new ConcurrentHashMap<>();

  /** @param initializers a chain's own child handler (HTTP or TCP initializer) */
  public FilterChainInitializer(String listenerName, SnapshotHolder snapshots, Function<ListenerConfig, ChannelHandler> initializers) {
    this.listenerName = listenerName;
    this.snapshots = snapshots;
    this.initializers = initializers;
  }

  @Override
  protected void initChannel(SocketChannel ch) {
    var listener = snapshots.current().config().listeners().stream().filter(l -> l.name().equals(listenerName))
        .findFirst().orElse(null);
    if (listener == null || listener.chains() == null) {
      ch.close();
      return;
    }
    var selector = listener.chains();
    var destination = destination(ch);
    var bound = ch.parent() != null ? ch.parent().localAddress() : ch.localAddress();
    var counters = stats.computeIfAbsent(bound, b -> SelectorStats.of(snapshots.stats(), b));
    if (!selector.inspectsTls()) {
      install(ch, selector.select(ConnectionFacts.of(destination)), counters);
      return;
    }
    ch.pipeline().addLast("filter-chain-match", new Inspector(destination, selector, counters));
  }

  private static InetSocketAddress destination(Channel ch) {
    var captured = Captured.of(ch);
    if (captured != null && captured.originalDestination() != null) {
      return captured.originalDestination();
    }
    return (InetSocketAddress) ch.localAddress();
  }

  /** Adds the chain's initializer; false (and the channel closed) when there is no chain. */
  private boolean install(Channel ch, ListenerConfig chain, SelectorStats counters) {
    var handler = chain == null ? null : initializers.apply(chain);
    if (handler == null) {
      counters.noFilterChainMatch.inc();
      ch.close();
      return false;
    }
    ch.pipeline().addLast(handler); // a ChannelInitializer: runs now, on this registered channel
    return true;
  }

  /**
   * Waits for the ClientHello, or on plaintext for what the HTTP inspector needs (or the first
   * byte, when it does not run), then picks the chain. When the listener's
   * {@code listener_filters_timeout} (default 15 s) passes first, the connection is counted as
   * {@code downstream_pre_cx_timeout} and closed, as Envoy does, or, with
   * {@code continue_on_listener_filters_timeout}, given the chain that matches what is known (no
   * application protocol): a server-first client (MySQL, a banner) reaches the catch-all chain.
   * Reads are explicit (AUTO_READ is off): it asks for the next read while nothing is decided.
   */
  private final class Inspector extends ByteToMessageDecoder {
    private final InetSocketAddress destination;
    private final FilterChainSelector selector;
    private final SelectorStats counters;
    private ScheduledFuture<?> timeout;
    private boolean decided;

    Inspector(InetSocketAddress destination, FilterChainSelector selector, SelectorStats counters) {
      this.destination = destination;
      this.selector = selector;
      this.counters = counters;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
      var limit = selector.inspectTimeout();
      if (!limit.isZero()) {
        timeout = ctx.executor().schedule(() -> onTimeout(ctx), limit.toNanos(), TimeUnit.NANOSECONDS);
      }
    }

    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) {
      cancel();
    }

    private void cancel() {
      if (timeout != null) {
        timeout.cancel(false);
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
      var hello = ClientHello.parse(in);
      if (hello == null) {
        ctx.read(); // the rest of the record
        return;
      }
      if (hello.tls()) { // Envoy's http_inspector does not look inside TLS: ALPN is the application protocol
        decide(ctx, new ConnectionFacts(destination, hello.serverName(), "tls", hello.alpn()));
        return;
      }
      List<String> protocols = List.of();
      if (selector.sniffsHttp()) {
        var result = HttpInspection.inspect(in);
        switch (result) {
          case NEED_MORE -> {
            ctx.read();
            return;
          }
          case HTTP10 -> counters.http10Found.inc();
          case HTTP11 -> counters.http11Found.inc();
          case HTTP2 -> counters.http2Found.inc();
          case NOT_HTTP -> counters.httpNotFound.inc();
        }
        if (result.applicationProtocol() != null) {
          protocols = List.of(result.applicationProtocol());
        }
      }
      decide(ctx, new ConnectionFacts(destination, null, "raw_buffer", protocols));
    }

    private void onTimeout(ChannelHandlerContext ctx) {
      if (decided || ctx.isRemoved()) {
        return;
      }
      counters.preCxTimeout.inc();
      if (!selector.filters().continueOnTimeout()) {
        decided = true;
        ctx.close();
        return;
      }
      // What is known: a partial TLS record is TLS (no SNI/ALPN yet), anything else plaintext.
      var seen = internalBuffer();
      var transport = seen.isReadable() && ClientHello.parse(seen) != ClientHello.NOT_TLS ? "tls" : "raw_buffer";
      decide(ctx, new ConnectionFacts(destination, null, transport, List.of()));
    }

    private void decide(ChannelHandlerContext ctx, ConnectionFacts facts) {
      decided = true;
      cancel();
      var current = snapshots.current().config().listeners().stream()
          .filter(l -> l.name().equals(listenerName) && l.chains() != null).findFirst()
          .map(l -> l.chains().select(facts)).orElse(null);
      if (!install(ctx.channel(), current, counters)) {
        var seen = internalBuffer();
        seen.skipBytes(seen.readableBytes());
        return;
      }
      var p = ctx.pipeline();
      ctx.fireChannelActive(); // the chain's handlers were added after the channel became active
      p.remove(this); // forwards what was read to the handlers just added
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
      if (!decided) {
        decided = true;
        counters.remoteClose.inc();
      }
      cancel();
      super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      if (decided) {
        ctx.fireExceptionCaught(cause);
        return;
      }
      decided = true;
      cancel();
      if (selector.sniffsHttp()) {
        counters.readError.inc();
      }
      counters.listenerFilterError.inc();
      ctx.close();
    }
  }
}
