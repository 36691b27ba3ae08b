package io.meshwork.proxy.capture;

import io.netty.channel.Channel;
import io.netty.channel.epoll.EpollSocketChannel;

/**
 * Sets {@code SO_MARK} on an epoll socket. In TPROXY mode the proxy's upstream connection to the
 * local app is bound (with {@code IP_TRANSPARENT}) to the caller's address and carries the capture
 * mark, so that policy routing brings the app's replies back to the proxy through {@code lo}
 * instead of out of the pod towards the real caller. Needs {@code CAP_NET_ADMIN}.
 */
public final class SocketMark {

  private SocketMark() {}

  /**
   * Marks the socket; call before {@code connect}, e.g. from a {@code ChannelInitializer}.
   *
   * @throws IllegalStateException when the kernel refuses (usually: not CAP_NET_ADMIN)
   */
  public static void set(Channel channel, int mark) {
    if (!(channel instanceof EpollSocketChannel ch)) {
      throw new IllegalArgumentException("SO_MARK needs an epoll channel, not " + channel.getClass().getSimpleName());
    }
    try {
      NativeSockets.setInt(ch.fd().intValue(), NativeSockets.SOL_SOCKET, NativeSockets.SO_MARK, mark);
    } catch (NativeSockets.ErrnoException e) {
      throw new IllegalStateException(e.getMessage() + " (SO_MARK needs CAP_NET_ADMIN)");
    }
  }
}
