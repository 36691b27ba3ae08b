package io.meshwork.bench.telemetry;

import java.util.function.DoubleSupplier;

/**
 * A process's CPU time over a phase's measured window, read by a helper thread at the end of the
 * warm-up and at the end of the window: the whole proxy process, and its span exporter thread
 * alone. CPU per request does not grow with other processes' load the way latency does, so it is
 * the figure to compare scenarios by on a shared machine.
 */
final class CpuWindow {
  private final Thread thread;
  private volatile double seconds = -1;
  private volatile double exporterSeconds = -1;

  private CpuWindow(long warmupMillis, long durationMillis, DoubleSupplier cpu, DoubleSupplier exporterCpu) {
    thread = Thread.ofPlatform().daemon().name("bench-cpu-window").start(() -> {
      try {
        Thread.sleep(warmupMillis);
        double start = cpu.getAsDouble();
        double exporterStart = exporterCpu.getAsDouble();
        Thread.sleep(durationMillis);
        seconds = cpu.getAsDouble() - start;
        exporterSeconds = exporterCpu.getAsDouble() - exporterStart;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
  }

  /** Starts measuring: {@code cpu} and {@code exporterCpu} give CPU seconds so far. */
  static CpuWindow start(long warmupMillis, long durationMillis, DoubleSupplier cpu, DoubleSupplier exporterCpu) {
    return new CpuWindow(warmupMillis, durationMillis, cpu, exporterCpu);
  }

  /** CPU nanoseconds of the window; waits for its end. */
  long nanos() throws InterruptedException {
    thread.join();
    return (long) (Math.max(0, seconds) * 1e9);
  }

  /**
   * CPU nanoseconds of the proxy's span exporter thread ({@code meshwork-span-export}) over the
   * window: the export path's own cost (encoding and the POST), which on a 2-core machine competes
   * with the event loop for a core. 0 when tracing is off.
   */
  long exporterNanos() throws InterruptedException {
    thread.join();
    return (long) (Math.max(0, exporterSeconds) * 1e9);
  }
}
