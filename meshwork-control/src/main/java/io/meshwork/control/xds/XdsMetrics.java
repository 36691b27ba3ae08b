package io.meshwork.control.xds;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The xDS server's own metrics, named like istiod's so dashboards carry over: {@code pilot_xds}
 * (connected proxies), {@code pilot_xds_pushes{type}} (responses sent), {@code pilot_total_xds_rejects}
 * (NACKs), {@code pilot_xds_push_time} (one push, all proxies; a histogram with istiod's buckets),
 * {@code pilot_debounce_events}.
 */
public final class XdsMetrics {
  final AtomicLong connected = new AtomicLong();
  final Map<String, LongAdder> pushesByType = new ConcurrentHashMap<>();
  final LongAdder nacks = new LongAdder();
  final LongAdder pushes = new LongAdder();
  final LongAdder pushTimeNanos = new LongAdder();
  final AtomicLong maxPushNanos = new AtomicLong();
  final LongAdder debouncedEvents = new LongAdder();
  /** istiod's {@code pilot_xds_push_time} bucket bounds, in seconds. */
  static final double[] PUSH_TIME_BUCKETS = {0.01, 0.1, 1, 3, 5, 10, 20, 30};
  private final LongAdder[] pushTimeBuckets = newAdders(PUSH_TIME_BUCKETS.length);

  private static LongAdder[] newAdders(int n) {
    var a = new LongAdder[n];
    for (int i = 0; i < n; i++) {
      a[i] = new LongAdder();
    }
    return a;
  }

  void sent(String typeUrl) {
    pushesByType.computeIfAbsent(shortType(typeUrl), k -> new LongAdder()).increment();
  }

  void pushed(long nanos) {
    pushes.increment();
    pushTimeNanos.add(nanos);
    maxPushNanos.accumulateAndGet(nanos, Math::max);
    double seconds = nanos / 1e9;
    for (int i = 0; i < PUSH_TIME_BUCKETS.length; i++) {
      if (seconds <= PUSH_TIME_BUCKETS[i]) {
        pushTimeBuckets[i].increment();
        break;
      }
    }
  }

  /** Pushes that took at most {@code PUSH_TIME_BUCKETS[i]} seconds (cumulative, as Prometheus histograms count). */
  long pushesWithin(int bucket) {
    long n = 0;
    for (int i = 0; i <= bucket; i++) {
      n += pushTimeBuckets[i].sum();
    }
    return n;
  }

  /** Store changes seen by the debouncer ({@code pilot_debounce_events}). */
  public long debounceEvents() {
    return debouncedEvents.sum();
  }

  public long connectedProxies() {
    return connected.get();
  }

  public long nacks() {
    return nacks.sum();
  }

  /** Total time spent in pushes (rebuilding the mesh view, translating, sending), in nanoseconds. */
  public long pushTimeNanos() {
    return pushTimeNanos.sum();
  }

  public long pushes() {
    return pushes.sum();
  }

  public long responses(String shortType) {
    var a = pushesByType.get(shortType);
    return a == null ? 0 : a.sum();
  }

  static String shortType(String typeUrl) {
    if (typeUrl.endsWith(".Listener")) {
      return "lds";
    }
    if (typeUrl.endsWith(".RouteConfiguration")) {
      return "rds";
    }
    if (typeUrl.endsWith(".Cluster")) {
      return "cds";
    }
    if (typeUrl.endsWith(".ClusterLoadAssignment")) {
      return "eds";
    }
    return typeUrl.substring(typeUrl.lastIndexOf('.') + 1).toLowerCase(java.util.Locale.ROOT);
  }

  /** Prometheus text exposition. */
  public String prometheus() {
    var sb = new StringBuilder();
    sb.append("# TYPE pilot_xds gauge\npilot_xds ").append(connected.get()).append('\n');
    sb.append("# TYPE pilot_xds_pushes counter\n");
    pushesByType.forEach((t, v) -> sb.append("pilot_xds_pushes{type=\"").append(t).append("\"} ").append(v.sum()).append('\n'));
    sb.append("# TYPE pilot_total_xds_rejects counter\npilot_total_xds_rejects ").append(nacks.sum()).append('\n');
    sb.append("# TYPE pilot_debounce_events counter\npilot_debounce_events ").append(debouncedEvents.sum()).append('\n');
    sb.append("# TYPE pilot_xds_push_time histogram\n");
    for (int i = 0; i < PUSH_TIME_BUCKETS.length; i++) {
      sb.append("pilot_xds_push_time_bucket{le=\"").append(PUSH_TIME_BUCKETS[i]).append("\"} ").append(pushesWithin(i)).append('\n');
    }
    long total = pushes.sum();
    sb.append("pilot_xds_push_time_bucket{le=\"+Inf\"} ").append(total).append('\n');
    sb.append("pilot_xds_push_time_count ").append(total).append('\n');
    sb.append("pilot_xds_push_time_sum ").append(pushTimeNanos.sum() / 1e9).append('\n');
    sb.append("# TYPE pilot_xds_push_time_max gauge\npilot_xds_push_time_max ").append(maxPushNanos.get() / 1e9).append('\n');
    return sb.toString();
  }
}
