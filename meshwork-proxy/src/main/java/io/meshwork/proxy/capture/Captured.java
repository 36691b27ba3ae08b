package io.meshwork.proxy.capture;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import java.net.InetSocketAddress;

/**
 * What the capture listener learned about an accepted connection, kept on the downstream channel
 * so that an {@code ORIGINAL_DST} cluster (PassthroughCluster) can connect where the caller was
 * going, and so that inbound passthrough picks the right source address.
 *
 * @param inbound accepted on virtualInbound (15006), not virtualOutbound (15001)
 * @param originalDestination where the caller was connecting (null: addressed to the listener)
 * @param mode how the proxy's pod captures inbound traffic
 */
public record Captured(boolean inbound, InetSocketAddress originalDestination, InterceptionMode mode) {
  public static final AttributeKey<Captured> KEY = AttributeKey.valueOf("meshwork.captured");

  /** Istio's inbound passthrough source: the iptables rules return {@code -s 127.0.0.6 -o lo} untouched. */
  public static final String INBOUND_PASSTHROUGH_SOURCE = "127.0.0.6";

  /** Istio's proxy mark (TPROXY mode): marked sockets are never captured again. */
  public static final int PROXY_MARK = 1337;

  /** The capture facts of a downstream channel (an HTTP/2 stream asks its parent); null if not captured. */
  public static Captured of(Channel channel) {
    for (var c = channel; c != null; c = c.parent()) {
      if (c.hasAttr(KEY)) {
        return c.attr(KEY).get();
      }
    }
    return null;
  }
}
