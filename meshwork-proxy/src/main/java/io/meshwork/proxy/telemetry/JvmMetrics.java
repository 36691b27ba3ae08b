package io.meshwork.proxy.telemetry;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;

/**
 * The JVM's memory and garbage collection, in the names the Prometheus JVM client uses
 * ({@code jvm_memory_bytes_used{area}}, {@code jvm_gc_collection_seconds{gc}}), so existing JVM
 * dashboards read the proxy too. Read from the platform MXBeans at scrape time.
 */
final class JvmMetrics {
  private JvmMetrics() {}

  static void render(StringBuilder sb, boolean openMetrics) {
    var mem = ManagementFactory.getMemoryMXBean();
    MemoryUsage heap = mem.getHeapMemoryUsage();
    MemoryUsage nonHeap = mem.getNonHeapMemoryUsage();
    sb.append("# TYPE jvm_memory_bytes_used gauge\n");
    sb.append("jvm_memory_bytes_used{area=\"heap\"} ").append(heap.getUsed()).append('\n');
    sb.append("jvm_memory_bytes_used{area=\"nonheap\"} ").append(nonHeap.getUsed()).append('\n');
    sb.append("# TYPE jvm_memory_bytes_committed gauge\n");
    sb.append("jvm_memory_bytes_committed{area=\"heap\"} ").append(heap.getCommitted()).append('\n');
    sb.append("jvm_memory_bytes_committed{area=\"nonheap\"} ").append(nonHeap.getCommitted()).append('\n');
    sb.append("# TYPE jvm_memory_bytes_max gauge\n");
    sb.append("jvm_memory_bytes_max{area=\"heap\"} ").append(heap.getMax()).append('\n');
    sb.append("# TYPE jvm_gc_collection_seconds summary\n");
    for (var gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      var label = new StringBuilder();
      IstioMetrics.escape(label, gc.getName());
      sb.append("jvm_gc_collection_seconds_count{gc=\"").append(label).append("\"} ").append(Math.max(0, gc.getCollectionCount())).append('\n');
      sb.append("jvm_gc_collection_seconds_sum{gc=\"").append(label).append("\"} ")
          .append(Math.max(0, gc.getCollectionTime()) / 1000.0).append('\n');
    }
  }
}
