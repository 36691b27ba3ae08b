package io.meshwork.bench.telemetry;

import io.meshwork.bench.load.Alternation;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.DoubleSupplier;

/**
 * What each window of an alternating phase cost, next to its latencies: the proxy process's CPU,
 * and, when the proxy runs in this JVM, the bytes this JVM allocated, its stop-the-world
 * collections and each thread group's CPU. Averaged by variant ({@link #figures}), it says whether
 * an "on" window's extra latency comes with extra CPU (and on which threads), extra garbage or
 * extra pauses, which the latencies alone cannot tell apart. A helper thread samples at every
 * window boundary, timed like the load generator's windows (from the end of the warm-up); the
 * figures cover whole windows, settle time included.
 */
final class WindowProbe {
  /** The name under which CPU the process used beyond its Java threads is listed: GC and JIT threads, the VM's own. */
  static final String NON_JAVA = "(GC, JIT, VM)";

  /**
   * One variant's figures, per window on average; the JVM figures are NaN (and {@code
   * threadCpuMillis} empty) for a proxy in another JVM.
   */
  record Figures(int windows, double cpuMillis, double allocatedMegabytes, double pauses, double pauseMillis,
      Map<String, Double> threadCpuMillis) {}

  /**
   * One window's own figures (the JVM ones NaN for a proxy in another JVM): to set beside a slow
   * window's p99, so a successor can see whether it had a collection, a CPU spike, a busy exporter
   * or busy GC/JIT threads ({@code nonJavaMillis}: G1's concurrent marking shows there).
   */
  record Window(int index, double cpuMillis, double pauses, double pauseMillis, double exporterMillis, double nonJavaMillis) {}

  private record Sample(double cpuSeconds, long allocatedBytes, long pauses, long pauseMillis, Map<String, Long> threadNanos) {}

  private final Thread thread;
  private final List<Sample> samples = new ArrayList<>();
  private final long seed;

  private WindowProbe(long warmupMillis, long windowMillis, int windows, long seed, DoubleSupplier cpu, boolean sameJvm) {
    this.seed = seed;
    long first = System.nanoTime() + warmupMillis * 1_000_000L;
    thread = Thread.ofPlatform().daemon().name("bench-window-probe").start(() -> {
      for (int w = 0; w <= windows; w++) {
        long wait = first + w * windowMillis * 1_000_000L - System.nanoTime();
        if (wait > 0) {
          try {
            Thread.sleep(wait / 1_000_000L, (int) (wait % 1_000_000L));
          } catch (InterruptedException e) {
            return;
          }
        }
        var s = sameJvm ? jvmSample(cpu.getAsDouble()) : new Sample(cpu.getAsDouble(), -1, -1, -1, Map.of());
        synchronized (samples) {
          samples.add(s);
        }
      }
    });
  }

  /**
   * Starts sampling now, for a phase whose windows begin {@code warmupMillis} from now; {@code
   * sameJvm}: the proxy runs in this JVM, so its allocation and collections are this JVM's; {@code
   * seed}: the run's {@link Alternation} seed, which says which windows are "on".
   */
  static WindowProbe start(long warmupMillis, long windowMillis, int windows, long seed, DoubleSupplier cpu, boolean sameJvm) {
    return new WindowProbe(warmupMillis, windowMillis, windows, seed, cpu, sameJvm);
  }

  private static Sample jvmSample(double cpuSeconds) {
    var mx = ManagementFactory.getThreadMXBean();
    long allocated = mx instanceof com.sun.management.ThreadMXBean t && t.isThreadAllocatedMemorySupported()
        ? t.getTotalThreadAllocatedBytes() : -1;
    long pauses = 0;
    long millis = 0;
    for (var gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      if (!gc.getName().contains("Concurrent")) { // G1's concurrent cycles run beside the application, not in a pause
        pauses += Math.max(0, gc.getCollectionCount());
        millis += Math.max(0, gc.getCollectionTime());
      }
    }
    var threads = new HashMap<String, Long>();
    for (var t : Thread.getAllStackTraces().keySet()) {
      long ns = mx.getThreadCpuTime(t.threadId());
      if (ns > 0) {
        threads.merge(group(t.getName()), ns, Long::sum);
      }
    }
    return new Sample(cpuSeconds, allocated, pauses, millis, threads);
  }

  /** A thread's name without its numbers, so that the threads of one pool add up. */
  static String group(String name) {
    return name.replaceAll("[-#]?\\d+", "");
  }

  /**
   * The figures of the "off" ({@code on} false) or "on" windows, averaged per window; waits for the
   * last boundary. Windows whose boundaries were not both sampled (a phase cut short) are left out.
   */
  Figures figures(boolean on) throws InterruptedException {
    thread.join();
    List<Sample> s;
    synchronized (samples) {
      s = List.copyOf(samples);
    }
    int n = 0;
    double cpu = 0;
    double allocated = 0;
    double pauses = 0;
    double pauseMillis = 0;
    var threads = new HashMap<String, Double>();
    for (int w = 0; w + 1 < s.size(); w++) {
      if (Alternation.on(seed, w) != on) {
        continue;
      }
      var a = s.get(w);
      var b = s.get(w + 1);
      n++;
      double windowCpu = (b.cpuSeconds() - a.cpuSeconds()) * 1e3;
      cpu += windowCpu;
      allocated += (b.allocatedBytes() - a.allocatedBytes()) / 1e6;
      pauses += b.pauses() - a.pauses();
      pauseMillis += b.pauseMillis() - a.pauseMillis();
      double java = 0;
      for (var e : b.threadNanos().entrySet()) {
        double ms = (e.getValue() - a.threadNanos().getOrDefault(e.getKey(), 0L)) / 1e6;
        java += ms;
        threads.merge(e.getKey(), ms, Double::sum);
      }
      if (!b.threadNanos().isEmpty()) {
        threads.merge(NON_JAVA, windowCpu - java, Double::sum);
      }
    }
    if (n == 0) {
      return new Figures(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Map.of());
    }
    int windows = n;
    threads.replaceAll((k, v) -> v / windows);
    boolean jvm = s.getFirst().allocatedBytes() >= 0;
    return jvm ? new Figures(n, cpu / n, allocated / n, pauses / n, pauseMillis / n, Map.copyOf(threads))
        : new Figures(n, cpu / n, Double.NaN, Double.NaN, Double.NaN, Map.of());
  }

  /** Each whole window's own figures, in order; waits for the last boundary. */
  List<Window> windows() throws InterruptedException {
    thread.join();
    List<Sample> s;
    synchronized (samples) {
      s = List.copyOf(samples);
    }
    var out = new ArrayList<Window>();
    for (int w = 0; w + 1 < s.size(); w++) {
      var a = s.get(w);
      var b = s.get(w + 1);
      boolean jvm = a.allocatedBytes() >= 0;
      String exporter = "meshwork-span-export";
      double cpu = (b.cpuSeconds() - a.cpuSeconds()) * 1e3;
      double java = 0;
      for (var e : b.threadNanos().entrySet()) {
        java += (e.getValue() - a.threadNanos().getOrDefault(e.getKey(), 0L)) / 1e6;
      }
      out.add(new Window(w, cpu, jvm ? b.pauses() - a.pauses() : Double.NaN, jvm ? b.pauseMillis() - a.pauseMillis() : Double.NaN,
          jvm ? (b.threadNanos().getOrDefault(exporter, 0L) - a.threadNanos().getOrDefault(exporter, 0L)) / 1e6 : Double.NaN,
          jvm ? cpu - java : Double.NaN));
    }
    return out;
  }

  /**
   * The thread groups whose CPU per window differs most between {@code on} and {@code off} (on
   * minus off, in ms), largest difference first, at most {@code limit}.
   */
  static List<Map.Entry<String, Double>> largestDifferences(Figures off, Figures on, int limit) {
    var diff = new HashMap<String, Double>();
    on.threadCpuMillis().forEach((k, v) -> diff.merge(k, v, Double::sum));
    off.threadCpuMillis().forEach((k, v) -> diff.merge(k, -v, Double::sum));
    return diff.entrySet().stream()
        .sorted(Comparator.comparingDouble((Map.Entry<String, Double> e) -> Math.abs(e.getValue())).reversed())
        .limit(limit).toList();
  }
}
