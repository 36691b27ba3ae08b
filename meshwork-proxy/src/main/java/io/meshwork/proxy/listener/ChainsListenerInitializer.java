package io.meshwork.proxy.listener;

import io.meshwork.proxy.config.ListenerConfig;
import io.meshwork.proxy.runtime.SnapshotHolder;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The child handler of a listener with several filter chains ({@link ListenerConfig.Chains}).
 * Reads the listener from the snapshot current at accept time and installs a
 * {@link ListenerChainSelector}; when no chain needs an inspector (none names a transport or
 * application protocol) the chain is chosen at once, without waiting for a byte.
 */
public final class ChainsListenerInitializer extends ChannelInitializer<SocketChannel> {
  private final String listenerName;
  private final SnapshotHolder snapshots;
  private final Function<ListenerConfig, ChannelHandler> initializers;
  /** Counters per bound address (the listener scope); a listener is rarely rebound, so this stays small. */
  private final Map<java.net.SocketAddress, SelectorStats> stats = new ConcurrentHashMap<>();
  /** One initializer per chain (they are sharable and read their config from the snapshot by name). */
  private final Map<String, ChannelHandler> chainInitializers = new ConcurrentHashMap<>();

  /**
   * @param initializers the child handler that serves one chain (HTTP or TCP), given the chain's listener config
   */
  public ChainsListenerInitializer(String listenerName, SnapshotHolder snapshots, Function<ListenerConfig, ChannelHandler> initializers) {
    this.listenerName = listenerName;
    this.snapshots = snapshots;
    this.initializers = l -> chainInitializers.computeIfAbsent(l.name() + "|" + l.protocol().getClass().getSimpleName(),
        k -> initializers.apply(l));
  }

  /** Whether {@code ch} was handed to its filter chain by a selector (its handlers join an active channel). */
  public static boolean selected(io.netty.channel.Channel ch) {
    return ch.hasAttr(ListenerChainSelector.SELECTED) && Boolean.TRUE.equals(ch.attr(ListenerChainSelector.SELECTED).get());
  }

  @Override
  protected void initChannel(SocketChannel ch) {
    var listener = snapshots.current().config().listeners().stream().filter(l -> l.name().equals(listenerName)).findFirst().orElse(null);
    if (listener == null || !(listener.protocol() instanceof ListenerConfig.Chains chains)) {
      ch.close();
      return;
    }
    if (!ListenerChainSelector.needsTls(chains) && !ListenerChainSelector.needsHttp(chains)) {
      var chain = chains.select("raw_buffer", List.of());
      var handler = chain == null ? null : initializers.apply(chain);
      if (handler == null) {
        ch.close();
        return;
      }
      ch.pipeline().addLast(handler);
      return;
    }
    var bound = ch.parent() != null ? ch.parent().localAddress() : ch.localAddress();
    var s = stats.computeIfAbsent(bound, b -> SelectorStats.of(snapshots.stats(), b));
    ch.pipeline().addLast("filter-chain-select", new ListenerChainSelector(chains, s, initializers));
  }
}
