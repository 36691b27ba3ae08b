package io.meshwork.proxy.capture;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import java.net.InetSocketAddress;

/**
 * How the proxy connects to its own pod's app for a captured inbound connection sent to the
 * original destination (the pod's address, not 127.0.0.1), without being captured again:
 * <ul>
 *   <li>REDIRECT: from {@value Captured#INBOUND_PASSTHROUGH_SOURCE}, which the rules return
 *       untouched ({@code -o lo -s 127.0.0.6/32 -j RETURN}); the app sees 127.0.0.6;</li>
 *   <li>TPROXY: transparently from the caller's own address ({@code IP_TRANSPARENT}) with the
 *       proxy mark {@value Captured#PROXY_MARK} ({@code -m mark --mark 1337 -j RETURN}; the
 *       connmark brings the replies back to this socket), so the app sees the real caller.
 *       Needs CAP_NET_ADMIN.</li>
 * </ul>
 */
public final class InboundPassthrough {
  private InboundPassthrough() {}

  /** Connects {@code b} (its handler already set) to {@code target} for the captured {@code downstream}. */
  public static ChannelFuture connect(Bootstrap b, Channel downstream, Captured captured, InetSocketAddress target) {
    if (captured.mode() == InterceptionMode.TPROXY) {
      var original = OriginalSource.of(downstream, target);
      if (original != null) {
        return original.connect(b);
      }
    }
    return b.connect(target, new InetSocketAddress(Captured.INBOUND_PASSTHROUGH_SOURCE, 0));
  }
}
