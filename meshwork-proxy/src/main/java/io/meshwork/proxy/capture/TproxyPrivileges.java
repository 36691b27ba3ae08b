package io.meshwork.proxy.capture;

import io.netty.channel.ChannelException;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollSocketChannel;
import java.util.Optional;

/**
 * Whether this process may serve TPROXY capture. The 15006 listener and the connections to the app
 * need {@code IP_TRANSPARENT} and {@code SO_MARK}, which the kernel grants only with
 * CAP_NET_ADMIN (Istio gives its sidecar that capability in TPROXY mode). Without it Netty only
 * logs that the listener option failed, and the listener then never sees a captured connection,
 * so the proxy checks at start and refuses with a sentence instead.
 */
public final class TproxyPrivileges {
  private TproxyPrivileges() {}

  /** Why TPROXY capture cannot work in this process (on the calling thread's capabilities); empty when it can. */
  public static Optional<String> missing() {
    if (!Epoll.isAvailable()) {
      return Optional.of("TPROXY capture needs Netty's epoll transport (Linux), which is not available here");
    }
    var ch = new EpollSocketChannel(); // opens a socket, never connected
    try {
      ch.config().setOption(EpollChannelOption.IP_TRANSPARENT, true);
      NativeSockets.setInt(ch.fd().intValue(), NativeSockets.SOL_SOCKET, NativeSockets.SO_MARK, Captured.PROXY_MARK);
      return Optional.empty();
    } catch (ChannelException | NativeSockets.ErrnoException e) {
      return Optional.of("TPROXY capture needs CAP_NET_ADMIN (IP_TRANSPARENT and SO_MARK were refused: " + e.getMessage()
          + "); run the proxy with that capability, e.g. setpriv --ambient-caps +net_admin, or capture with REDIRECT");
    } finally {
      ch.unsafe().closeForcibly();
    }
  }
}
