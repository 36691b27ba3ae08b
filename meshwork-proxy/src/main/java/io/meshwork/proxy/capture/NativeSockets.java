package io.meshwork.proxy.capture;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/**
 * {@code getsockopt}/{@code setsockopt} through Java's foreign function API, for the two socket
 * options Netty does not expose: {@code SO_ORIGINAL_DST} (read) and {@code SO_MARK} (write). The
 * JVM needs {@code --enable-native-access=ALL-UNNAMED} to call them without a warning.
 */
final class NativeSockets {
  static final int SOL_SOCKET = 1;
  static final int SOL_IP = 0;
  static final int SOL_IPV6 = 41;
  static final int SO_MARK = 36;
  /** {@code SO_ORIGINAL_DST} (linux/netfilter_ipv4.h) and {@code IP6T_SO_ORIGINAL_DST}: both 80. */
  static final int SO_ORIGINAL_DST = 80;
  static final int AF_INET = 2;
  static final int AF_INET6 = 10;
  static final int ENOENT = 2;

  private static final Linker LINKER = Linker.nativeLinker();
  private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
  private static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
  private static final MethodHandle GETSOCKOPT = LINKER.downcallHandle(
      LINKER.defaultLookup().find("getsockopt").orElseThrow(),
      FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
          ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS),
      Linker.Option.captureCallState("errno"));
  private static final MethodHandle SETSOCKOPT = LINKER.downcallHandle(
      LINKER.defaultLookup().find("setsockopt").orElseThrow(),
      FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
          ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT),
      Linker.Option.captureCallState("errno"));

  private NativeSockets() {}

  /** Thrown with the C {@code errno} when a call fails. */
  static final class ErrnoException extends Exception {
    final int errno;

    ErrnoException(String call, int errno) {
      super(call + " failed with errno " + errno, null, false, false);
      this.errno = errno;
    }
  }

  /**
   * Reads {@code SO_ORIGINAL_DST} (IPv4) or {@code IP6T_SO_ORIGINAL_DST} (IPv6): the destination
   * the connection had before netfilter's NAT rewrote it (conntrack's original tuple).
   */
  static InetSocketAddress originalDst(int fd, boolean ipv6) throws ErrnoException {
    try (var arena = Arena.ofConfined()) {
      int size = ipv6 ? 28 : 16;
      var addr = arena.allocate(size, 8);
      var len = arena.allocate(ValueLayout.JAVA_INT);
      len.set(ValueLayout.JAVA_INT, 0, size);
      var state = arena.allocate(CALL_STATE);
      int rc = (int) GETSOCKOPT.invokeExact(state, fd, ipv6 ? SOL_IPV6 : SOL_IP, SO_ORIGINAL_DST, addr, len);
      if (rc != 0) {
        throw new ErrnoException("getsockopt(SO_ORIGINAL_DST)", (int) ERRNO.get(state, 0L));
      }
      return decode(addr);
    } catch (ErrnoException e) {
      throw e;
    } catch (Throwable t) {
      throw new IllegalStateException("getsockopt could not be called", t);
    }
  }

  /** Sets an {@code int} socket option. */
  static void setInt(int fd, int level, int option, int value) throws ErrnoException {
    try (var arena = Arena.ofConfined()) {
      var v = arena.allocate(ValueLayout.JAVA_INT);
      v.set(ValueLayout.JAVA_INT, 0, value);
      var state = arena.allocate(CALL_STATE);
      int rc = (int) SETSOCKOPT.invokeExact(state, fd, level, option, v, 4);
      if (rc != 0) {
        throw new ErrnoException("setsockopt(" + level + ", " + option + ")", (int) ERRNO.get(state, 0L));
      }
    } catch (ErrnoException e) {
      throw e;
    } catch (Throwable t) {
      throw new IllegalStateException("setsockopt could not be called", t);
    }
  }

  /** Decodes a {@code sockaddr_in} or {@code sockaddr_in6} (family in host order, port in network order). */
  static InetSocketAddress decode(MemorySegment sa) {
    int family = Short.toUnsignedInt(sa.get(ValueLayout.JAVA_SHORT, 0));
    int port = Byte.toUnsignedInt(sa.get(ValueLayout.JAVA_BYTE, 2)) << 8 | Byte.toUnsignedInt(sa.get(ValueLayout.JAVA_BYTE, 3));
    byte[] ip;
    if (family == AF_INET) {
      ip = sa.asSlice(4, 4).toArray(ValueLayout.JAVA_BYTE);
    } else if (family == AF_INET6) {
      ip = sa.asSlice(8, 16).toArray(ValueLayout.JAVA_BYTE);
    } else {
      throw new IllegalStateException("unexpected address family " + family);
    }
    try {
      return new InetSocketAddress(InetAddress.getByAddress(ip), port);
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }
}
