package io.meshwork.proxy.background;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Locale;

/**
 * Starts the proxy's background threads (span exporter, access-log writer) with a higher Linux
 * nice value than the event loops, so that the kernel's scheduler runs an event loop first when
 * both are runnable and preempts the background thread as soon as an event loop wakes up.
 *
 * <p>Why: a sidecar typically has one or two cores. The exporter encodes and posts a batch of
 * 1,024 spans in a few milliseconds of CPU; at equal priority that burst shares a core with the
 * event loops and the requests that arrive meanwhile wait behind it, which shows in p99 although
 * the export costs only a few percent of a core on average. At nice 15 its CFS weight is
 * 1/29 of an event loop's (weights 36 and 1024), so it still gets all the idle CPU it needs and
 * loses only when the event loops are busy; if they stay saturated the exporter's bounded queue fills and
 * spans are dropped and counted, which is the trade-off the tracer is specified to make (never slow
 * a request).
 *
 * <p>Java's {@code Thread.setPriority} does nothing on Linux unless the JVM runs as root with
 * {@code -XX:ThreadPriorityPolicy=1}, so the thread sets its own nice value with {@code
 * setpriority(PRIO_PROCESS, gettid(), nice)} through the foreign function API: on Linux the nice
 * value belongs to the thread, and raising one's own needs no privilege. Elsewhere, or when native
 * access is not allowed, the thread runs at normal priority ({@link #lowered} says which).
 */
public final class BackgroundThreads {
  /**
   * How many nice steps background threads go below the event loops (which stay at the process's
   * value, normally 0): 15, or the system property {@code meshwork.backgroundNice} (0 to 19; 0 leaves
   * them at the process's priority, for comparison).
   */
  public static final int NICE = Math.clamp(Integer.getInteger("meshwork.backgroundNice", 15), 0, 19);

  private static final int PRIO_PROCESS = 0;
  private static final MethodHandle GETTID;
  private static final MethodHandle SETPRIORITY;

  static {
    MethodHandle gettid = null;
    MethodHandle setpriority = null;
    if (System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux")) {
      try {
        var linker = Linker.nativeLinker();
        var lookup = linker.defaultLookup();
        var tid = lookup.find("gettid");
        var prio = lookup.find("setpriority");
        if (tid.isPresent() && prio.isPresent()) {
          gettid = linker.downcallHandle(tid.get(), FunctionDescriptor.of(ValueLayout.JAVA_INT));
          setpriority = linker.downcallHandle(prio.get(),
              FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
        }
      } catch (RuntimeException | LinkageError e) {
        gettid = null; // native access refused (--enable-native-access not given and denied): normal priority
        setpriority = null;
      }
    }
    GETTID = gettid;
    SETPRIORITY = setpriority;
  }

  private BackgroundThreads() {}

  /** Starts a daemon platform thread named {@code name} that lowers its own priority, then runs {@code body}. */
  public static Thread start(String name, Runnable body) {
    return Thread.ofPlatform().daemon().name(name).start(() -> {
      lowerCurrent();
      body.run();
    });
  }

  /**
   * Raises the calling thread's nice value by {@link #NICE} over the process's (at most 19): 15 for
   * a proxy at the default 0, and the same weight ratio to its event loops when an operator runs
   * the whole proxy at another nice value (CFS weights fall by about 1.25x per step). Returns
   * whether the call succeeded.
   */
  public static boolean lowerCurrent() {
    if (SETPRIORITY == null || NICE == 0) {
      return false;
    }
    try {
      int tid = (int) GETTID.invokeExact();
      return (int) SETPRIORITY.invokeExact(PRIO_PROCESS, tid, Math.min(19, currentNice(tid) + NICE)) == 0;
    } catch (Throwable t) {
      return false;
    }
  }

  /** Whether background threads get a lower priority here (Linux with native access). */
  public static boolean lowered() {
    return SETPRIORITY != null;
  }

  /** The thread's nice value from {@code /proc/thread-self/stat} (field 19), or 0 when unreadable. */
  static int currentNice(int tid) {
    try {
      var stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/self/task/" + tid + "/stat"));
      var fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return Integer.parseInt(fields[16]); // field 19 overall; fields after "comm)" start at field 3
    } catch (java.io.IOException | RuntimeException e) {
      return 0;
    }
  }
}
