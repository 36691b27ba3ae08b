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

  private CpuWindow(long warmupMillis, long durationMillis) {
    thread = Thread.ofPlatform().daemon().name("bench-cpu-window").start(() -> {
      try {
        Thread.sleep(warmupMillis);
        long start = cpu();
        Thread.sleep(durationMillis);
        nanos = cpu() - start;
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

  private static long cpu() {
    var os = ManagementFactory.getOperatingSystemMXBean();
    return os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getProcessCpuTime() : 0;
  }
}
