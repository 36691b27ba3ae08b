package io.meshwork.proxy.capture;

import io.meshwork.proxy.runtime.SnapshotHolder;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import java.util.function.Function;

/**
 * The child handler of virtualOutbound (15001) and virtualInbound (15006) in capture mode. It asks
 * the kernel where the connection was going ({@link OriginalDestination}, before the first read),
 * records it on the channel ({@link Captured}), picks the listener that would have accepted it in
 * a mesh without capture (outbound: {@code IP:PORT}, then {@code 0.0.0.0:PORT}; inbound: the chain
 * for the destination port), and hands the channel to that listener's own initializer, so
 * routing, mTLS, RBAC and telemetry are exactly those of a directly bound listener. Nothing
 * matched: the capture listener's own catch-all chain (PassthroughCluster, BlackHoleCluster or
 * inbound passthrough).
 */
public final class CaptureInitializer extends ChannelInitializer<SocketChannel> {
  private final boolean inbound;
  private final String self;
  private final SnapshotHolder snapshots;
  private final Function<String, ChannelHandler> initializers;

  /**
   * @param inbound this is virtualInbound
   * @param self the capture listener's name (its catch-all chain)
   * @param initializers a listener's initializer by name (null when no such listener exists)
   */
  public CaptureInitializer(boolean inbound, String self, SnapshotHolder snapshots,
      Function<String, ChannelHandler> initializers) {
    this.inbound = inbound;
    this.self = self;
    this.snapshots = snapshots;
    this.initializers = initializers;
  }

  @Override
  protected void initChannel(SocketChannel ch) {
    var table = snapshots.current().config().capture();
    var destination = OriginalDestination.of(ch).orElse(null);
    ch.attr(Captured.KEY).set(new Captured(inbound, destination, table.mode()));
    String target = null;
    if (destination != null) {
      target = (inbound ? table.inboundFor(destination.getPort()) : table.outboundFor(destination)).orElse(null);
    }
    var handler = target == null ? null : initializers.apply(target);
    if (handler == null) {
      handler = initializers.apply(self);
    }
    if (handler == null) {
      ch.close();
      return;
    }
    ch.pipeline().addLast(handler); // a ChannelInitializer: runs now, on this registered channel
  }
}
