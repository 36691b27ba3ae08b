package io.meshwork.testing.netns;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * Per-thread switches through the foreign function API: {@code setns(2)} moves the calling thread
 * into a named network namespace (sockets it creates afterwards live there, whichever thread uses
 * them later), and {@code setfsuid(2)}/{@code setfsgid(2)} change the calling thread's filesystem
 * ids, which become the owner of sockets it creates and so what iptables' {@code -m owner} sees.
 * Both affect only the calling thread; callers use dedicated threads.
 */
final class Netns {
  private static final int O_RDONLY = 0;
  private static final int O_CLOEXEC = 0x80000;
  private static final int CLONE_NEWNET = 0x40000000;
  private static final long SYS_SETFSUID = 122;
  private static final long SYS_SETFSGID = 123;

  private static final Linker LINKER = Linker.nativeLinker();
  private static final StructLayout STATE = Linker.Option.captureStateLayout();
  private static final VarHandle ERRNO = STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
  private static final MethodHandle OPEN = handle("open",
      FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT), true);
  private static final MethodHandle SETNS = handle("setns",
      FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT), true);
  private static final MethodHandle CLOSE = handle("close",
      FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT), false);
  // glibc's setfsuid() wrapper is per-thread too, but the raw syscall makes the intent explicit.
  private static final MethodHandle SYSCALL2 = LINKER.downcallHandle(
      LINKER.defaultLookup().find("syscall").orElseThrow(),
      FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG),
      Linker.Option.firstVariadicArg(1));

  private Netns() {}

  private static MethodHandle handle(String name, FunctionDescriptor fd, boolean errno) {
    var symbol = LINKER.defaultLookup().find(name).orElseThrow();
    return errno
        ? LINKER.downcallHandle(symbol, fd, Linker.Option.captureCallState("errno"))
        : LINKER.downcallHandle(symbol, fd);
  }

  /** Moves the calling thread into the network namespace {@code /run/netns/NAME}. */
  static void enter(String name) {
    try (var arena = Arena.ofConfined()) {
      var state = arena.allocate(STATE);
      int fd = (int) OPEN.invokeExact(state, arena.allocateFrom("/run/netns/" + name), O_RDONLY | O_CLOEXEC);
      if (fd < 0) {
        throw new IllegalStateException("cannot open /run/netns/" + name + " (errno " + (int) ERRNO.get(state, 0L) + ")");
      }
      try {
        int rc = (int) SETNS.invokeExact(state, fd, CLONE_NEWNET);
        if (rc != 0) {
          throw new IllegalStateException("setns into " + name + " failed (errno " + (int) ERRNO.get(state, 0L) + "); it needs root");
        }
      } finally {
        int ignored = (int) CLOSE.invokeExact(fd);
      }
    } catch (RuntimeException e) {
      throw e;
    } catch (Throwable t) {
      throw new IllegalStateException("setns could not be called", t);
    }
  }

  /** Sets the calling thread's filesystem uid and gid (the owner of sockets it creates). */
  static void setFsIds(PodUser user) {
    try {
      long ignoredGid = (long) SYSCALL2.invokeExact(SYS_SETFSGID, (long) user.gid());
      long ignoredUid = (long) SYSCALL2.invokeExact(SYS_SETFSUID, (long) user.uid());
      // setfsuid reports the previous id, never an error; check by reading it back.
      long now = (long) SYSCALL2.invokeExact(SYS_SETFSUID, -1L);
      if (now != user.uid()) {
        throw new IllegalStateException("setfsuid(" + user.uid() + ") did not take effect; it needs root");
      }
    } catch (RuntimeException e) {
      throw e;
    } catch (Throwable t) {
      throw new IllegalStateException("setfsuid could not be called", t);
    }
  }
}
