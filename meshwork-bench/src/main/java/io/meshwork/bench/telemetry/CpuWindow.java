package io.meshwork.bench.telemetry;

import java.lang.management.ManagementFactory;

/**
 * The process's CPU time over a phase's measured window, read by a helper thread at the end of the
 * warm-up and at the end of the window. CPU per request does not grow with other processes'
 * load the way latency does, so it is the figure to compare scenarios by on a shared machine.
 */
final class CpuWindow {
  private final Thread thread;
  private volatile long nanos = -1;
  private volatile long exporterNanos = -1;

  private CpuWindow(long warmupMillis, long durationMillis) {
    thread = Thread.ofPlatform().daemon().name("bench-cpu-window").start(() -> {
      try {
        Thread.sleep(warmupMillis);
        long start = cpu();
        long exporterStart = exporterCpu();
        Thread.sleep(durationMillis);
        nanos = cpu() - start;
        exporterNanos = exporterCpu() - exporterStart;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
  }

  static CpuWindow start(long warmupMillis, long durationMillis) {
    return new CpuWindow(warmupMillis, durationMillis);
  }

  /** CPU nanoseconds of the window; waits for its end. */
  long nanos() throws InterruptedException {
    thread.join();
    return Math.max(0, nanos);
  }

  /**
   * CPU nanoseconds of the proxy's span exporter thread ({@code meshwork-span-export}) over the
   * window, plus any JDK HTTP client threads ({@code HttpClient-*}, which the exporter used for its
   * POSTs until session 4): the export path's own cost (conversion, encoding, the POST), which on a
   * 2-core machine competes with the event loop for a core. 0 when tracing is off.
   */
  long exporterNanos() throws InterruptedException {
    thread.join();
    return Math.max(0, exporterNanos);
  }

  private static long exporterCpu() {
    var threads = ManagementFactory.getThreadMXBean();
    long sum = 0;
    for (var t : Thread.getAllStackTraces().keySet()) {
      if (t.getName().equals("meshwork-span-export") || t.getName().startsWith("HttpClient-")) {
        sum += Math.max(0, threads.getThreadCpuTime(t.threadId()));
      }
    }
    return sum;
  }

  private static long cpu() {
    var os = ManagementFactory.getOperatingSystemMXBean();
    return os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getProcessCpuTime() : 0;
  }
}
