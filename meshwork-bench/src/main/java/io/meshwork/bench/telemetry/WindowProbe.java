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
  private static final String EXPORTER = "meshwork-span-export";

  /**
   * One variant's figures, per window on average; the JVM figures are NaN (and {@code
   * threadCpuMillis} empty) for a proxy in another JVM.
   */
  record Figures(int windows, double cpuMillis, double allocatedMegabytes, double pauses, double pauseMillis,
      Map<String, Double> threadCpuMillis) {}

  /**
   * One window's own figures (the JVM ones NaN, and {@code threadCpuMillis} empty, for a proxy in
   * another JVM): summed by variant into {@link Figures}, and set beside a slow window's p99, so a
   * successor can see whether it had a collection, a CPU spike, a busy exporter or busy GC/JIT threads.
   */
  record Window(int index, boolean on, double cpuMillis, double allocatedMegabytes, double pauses, double pauseMillis,
      Map<String, Double> threadCpuMillis) {
    /** The span exporter thread's CPU in this window (0 before it exists); NaN for a proxy in another JVM. */
    double exporterMillis() {
      return Double.isNaN(allocatedMegabytes) ? Double.NaN : threadCpuMillis.getOrDefault(EXPORTER, 0.0);
    }

    /** CPU beyond the Java threads: GC, JIT and the VM's own threads (G1's concurrent marking shows here). */
    double nonJavaMillis() {
      return threadCpuMillis.getOrDefault(NON_JAVA, Double.NaN);
    }
  }

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
   * Each whole window's own figures, in order, "on" as the run's seed says; waits for the last
   * boundary. Windows whose boundaries were not both sampled (a phase cut short) are left out.
   */
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
      double cpu = (b.cpuSeconds() - a.cpuSeconds()) * 1e3;
      if (a.allocatedBytes() < 0) {
        out.add(new Window(w, Alternation.on(seed, w), cpu, Double.NaN, Double.NaN, Double.NaN, Map.of()));
        continue;
      }
      var threads = new HashMap<String, Double>();
      double java = 0;
      for (var e : b.threadNanos().entrySet()) {
        double ms = (e.getValue() - a.threadNanos().getOrDefault(e.getKey(), 0L)) / 1e6;
        java += ms;
        threads.put(e.getKey(), ms);
      }
      threads.put(NON_JAVA, cpu - java);
      out.add(new Window(w, Alternation.on(seed, w), cpu, (b.allocatedBytes() - a.allocatedBytes()) / 1e6, b.pauses() - a.pauses(),
          b.pauseMillis() - a.pauseMillis(), Map.copyOf(threads)));
    }
    return out;
  }

  /**
   * The "off" ({@code on} false) or "on" windows among {@code windows} (of one run or of many),
   * averaged per window; null when there are none.
   */
  static Figures summarize(List<Window> windows, boolean on) {
    int n = 0;
    double cpu = 0;
    double allocated = 0;
    double pauses = 0;
    double pauseMillis = 0;
    var threads = new HashMap<String, Double>();
    for (var w : windows) {
      if (w.on() != on) {
        continue;
      }
      n++;
      cpu += w.cpuMillis();
      allocated += w.allocatedMegabytes();
      pauses += w.pauses();
      pauseMillis += w.pauseMillis();
      w.threadCpuMillis().forEach((k, v) -> threads.merge(k, v, Double::sum));
    }
    if (n == 0) {
      return null;
    }
    int count = n;
    threads.replaceAll((k, v) -> v / count);
    return new Figures(n, cpu / n, allocated / n, pauses / n, pauseMillis / n, Map.copyOf(threads));
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
