package io.meshwork.proxy.capture;

import io.netty.channel.Channel;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.util.Optional;

/**
 * Where a captured connection was going before the capture rules sent it to the proxy: what a
 * listener on 15001/15006 needs to pick the outbound cluster or the inbound port.
 *
 * <ul>
 *   <li>REDIRECT mode rewrites the destination with NAT, so the original is read back from
 *       conntrack with {@code SO_ORIGINAL_DST} ({@code IP6T_SO_ORIGINAL_DST} for IPv6) on the
 *       accepted socket's file descriptor;
 *   <li>TPROXY mode rewrites nothing: a listener with {@code IP_TRANSPARENT} accepts connections
 *       addressed to any address and port, and the accepted socket's local address is the original
 *       destination.
 * </ul>
 *
 * Only Netty's epoll transport exposes the file descriptor; with NIO every lookup is empty, which
 * is why transparent capture requires epoll (Linux).
 */
public final class OriginalDestination {

  private OriginalDestination() {}

  /**
   * The original destination of an accepted connection, or empty when the connection was addressed
   * to the listener itself (not captured), the transport is not epoll, or conntrack has no record.
   * Call it on the channel's event loop or any thread; it makes one system call.
   */
  public static Optional<InetSocketAddress> of(Channel channel) {
    if (!(channel instanceof EpollSocketChannel ch) || !ch.isOpen()) {
      return Optional.empty();
    }
    var local = ch.localAddress();
    if (local == null) {
      return Optional.empty();
    }
    if (ch.parent() instanceof EpollServerSocketChannel listener
        && Boolean.TRUE.equals(listener.config().getOption(EpollChannelOption.IP_TRANSPARENT))) {
      var bound = listener.localAddress();
      return bound != null && bound.getPort() == local.getPort() && (bound.getAddress().isAnyLocalAddress() || bound.getAddress().equals(local.getAddress()))
          ? Optional.empty()
          : Optional.of(local);
    }
    try {
      var original = NativeSockets.originalDst(ch.fd().intValue(), local.getAddress() instanceof Inet6Address);
      return original.equals(local) ? Optional.empty() : Optional.of(original);
    } catch (NativeSockets.ErrnoException e) {
      // ENOENT: conntrack knows no NAT for this connection (or is not loaded): not captured.
      return Optional.empty();
    }
  }

  /**
   * Reads {@code SO_ORIGINAL_DST} on an epoll socket whatever the listener: the conntrack original
   * destination, equal to the local address when no NAT applied.
   *
   * @throws IllegalArgumentException when the channel is not an epoll socket
   * @throws IllegalStateException when the kernel refuses (message carries errno)
   */
  public static InetSocketAddress conntrackOriginal(Channel channel) {
    if (!(channel instanceof EpollSocketChannel ch)) {
      throw new IllegalArgumentException("SO_ORIGINAL_DST needs an epoll channel, not " + channel.getClass().getSimpleName());
    }
    try {
      return NativeSockets.originalDst(ch.fd().intValue(), ch.localAddress().getAddress() instanceof Inet6Address);
    } catch (NativeSockets.ErrnoException e) {
      throw new IllegalStateException(e.getMessage());
    }
  }
}
