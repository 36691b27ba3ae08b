package io.meshwork.testing.netns;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * Linux capabilities are per thread: a test running as root can show what a process without a
 * capability would do by running a task on a fresh thread whose effective set lacks it
 * ({@code capset(2)}), without starting another JVM (whose class path, under root's home, a
 * non-root user could not read).
 */
public final class ThreadCapabilities {
  public static final int CAP_NET_ADMIN = 12;
  public static final int CAP_NET_RAW = 13;
  private static final int VERSION_3 = 0x20080522;
  private static final Linker LINKER = Linker.nativeLinker();
  private static final MethodHandle CAPGET = handle("capget");
  private static final MethodHandle CAPSET = handle("capset");

  private ThreadCapabilities() {}

  /** Whether the calling thread has {@code cap} in its effective set. */
  public static boolean has(int cap) {
    try (var arena = Arena.ofConfined()) {
      var header = header(arena);
      var data = arena.allocate(24, 4);
      call(CAPGET, header, data, "capget");
      return (data.get(ValueLayout.JAVA_INT, cap < 32 ? 0 : 12) & (1 << (cap % 32))) != 0;
    }
  }

  /** Runs {@code task} on a new platform thread whose effective set lacks {@code caps}. */
  public static <T> T withoutEffective(Callable<T> task, int... caps) throws Exception {
    var result = new CompletableFuture<T>();
    var t = new Thread(() -> {
      try (var arena = Arena.ofConfined()) {
        var header = header(arena);
        var data = arena.allocate(24, 4);
        call(CAPGET, header, data, "capget");
        for (int cap : caps) {
          long offset = cap < 32 ? 0 : 12; // effective is the first u32 of each of the two data structs
          data.set(ValueLayout.JAVA_INT, offset, data.get(ValueLayout.JAVA_INT, offset) & ~(1 << (cap % 32)));
        }
        call(CAPSET, header, data, "capset");
      } catch (RuntimeException e) {
        result.completeExceptionally(e);
        return;
      }
      try {
        result.complete(task.call());
      } catch (Throwable e) {
        result.completeExceptionally(e);
      }
    }, "without-caps");
    t.start();
    try {
      return result.get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof Exception ex) {
        throw ex;
      }
      throw e;
    }
  }

  private static java.lang.foreign.MemorySegment header(Arena arena) {
    var header = arena.allocate(8, 4);
    header.set(ValueLayout.JAVA_INT, 0, VERSION_3);
    header.set(ValueLayout.JAVA_INT, 4, 0); // 0: the calling thread
    return header;
  }

  private static void call(MethodHandle h, java.lang.foreign.MemorySegment header, java.lang.foreign.MemorySegment data, String name) {
    int rc;
    try {
      rc = (int) h.invokeExact(header, data);
    } catch (Throwable e) {
      throw new IllegalStateException(name + " could not be called", e);
    }
    if (rc != 0) {
      throw new IllegalStateException(name + " failed");
    }
  }

  private static MethodHandle handle(String name) {
    return LINKER.downcallHandle(LINKER.defaultLookup().find(name).orElseThrow(),
        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS));
  }
}
