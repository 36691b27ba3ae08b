package io.meshwork.proxy.chains;

import io.meshwork.proxy.capture.Captured;
import io.meshwork.proxy.config.ConnectionFacts;
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
import java.util.List;
import java.util.function.Function;

/**
 * The child handler of a listener with several filter chains. At accept it reads the listener of
 * the current snapshot; when no chain needs inspection (destination port and IP only) it picks the
 * chain at once, otherwise it adds an inspector that waits for the first TLS record (or the first
 * byte of a plaintext connection), reads SNI and ALPN from it as Envoy's {@code tls_inspector} does,
 * and then picks. The chosen chain's own initializer is installed after it, told that the channel
 * is active, and given the bytes read so far; the inspector then removes itself. It writes
 * nothing; no chain matches: the connection is closed (Envoy's
 * {@code downstream_cx_no_filter_chain_match}, counted as {@code listener.NAME.no_filter_chain_match}).
 * The destination is the original one for captured connections, else the local address.
 */
public final class FilterChainInitializer extends ChannelInitializer<SocketChannel> {
  private final String listenerName;
  private final SnapshotHolder snapshots;
  private final Function<ListenerConfig, ChannelHandler> initializers;

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
    if (!selector.inspectsTls()) {
      install(ch, selector.select(ConnectionFacts.of(destination)));
      return;
    }
    ch.pipeline().addLast("filter-chain-match", new Inspector(destination, selector.inspectTimeout()));
  }

  private static InetSocketAddress destination(Channel ch) {
    var captured = Captured.of(ch);
    if (captured != null && captured.originalDestination() != null) {
      return captured.originalDestination();
    }
    return (InetSocketAddress) ch.localAddress();
  }

  /** Adds the chain's initializer; false (and the channel closed) when there is no chain. */
  private boolean install(Channel ch, ListenerConfig chain) {
    var handler = chain == null ? null : initializers.apply(chain);
    if (handler == null) {
      snapshots.stats().counter("listener." + listenerName + ".no_filter_chain_match").inc();
      ch.close();
      return false;
    }
    ch.pipeline().addLast(handler); // a ChannelInitializer: runs now, on this registered channel
    return true;
  }

  /**
   * Waits for the ClientHello (or the first plaintext byte), then picks the chain. A client that
   * sends too little for the listener's {@code listener_filters_timeout} (default 15 s) is closed, as
   * Envoy does, and counted as {@code listener.NAME.downstream_pre_cx_timeout}.
   */
  private final class Inspector extends ByteToMessageDecoder {
    private final InetSocketAddress destination;
    private final java.time.Duration limit;
    private java.util.concurrent.ScheduledFuture<?> timeout;

    Inspector(InetSocketAddress destination, java.time.Duration limit) {
      this.destination = destination;
      this.limit = limit;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
      if (!limit.isZero()) {
        timeout = ctx.executor().schedule(() -> {
          snapshots.stats().counter("listener." + listenerName + ".downstream_pre_cx_timeout").inc();
          ctx.close();
        }, limit.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
      }
    }

    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) {
      cancel();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
      cancel();
      super.channelInactive(ctx);
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
      var hello = ClientHello.parse(in);
      if (hello == null) {
        ctx.read(); // AUTO_READ is off: ask for the rest of the record
        return;
      }
      var facts = new ConnectionFacts(destination, hello.serverName(), hello.tls() ? "tls" : "raw_buffer", hello.alpn());
      var p = ctx.pipeline();
      if (!install(ctx.channel(), snapshots.current().config().listeners().stream()
          .filter(l -> l.name().equals(listenerName) && l.chains() != null).findFirst()
          .map(l -> l.chains().select(facts)).orElse(null))) {
        in.skipBytes(in.readableBytes());
        return;
      }
      ctx.fireChannelActive(); // the chain's handlers were added after the channel became active
      p.remove(this); // forwards what was read to the handlers just added
    }
  }
}
