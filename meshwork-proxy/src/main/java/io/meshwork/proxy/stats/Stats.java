package io.meshwork.proxy.stats;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The proxy's stats store: named counters and gauges. A counter lives as long as the process, so a
 * cluster that is removed and re-added keeps counting where it left off, as in Envoy.
 */
public final class Stats {
  private final ConcurrentHashMap<String, Counter> counters = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, LongSupplier> gauges = new ConcurrentHashMap<>();

  public Counter counter(String name) {
    return counters.computeIfAbsent(name, n -> new Counter());
  }

  /** Registers (or replaces) a gauge computed when read. */
  public void gauge(String name, LongSupplier supplier) {
    gauges.put(name, supplier);
  }

  /** The current value of a counter or gauge, 0 when unknown (tests read stats this way). */
  public long value(String name) {
    var c = counters.get(name);
    if (c != null) {
      return c.get();
    }
    var g = gauges.get(name);
    return g == null ? 0 : g.getAsLong();
  }

  /** Names of the gauges (everything else is a counter). */
  public java.util.Set<String> gaugeNames() {
    return java.util.Set.copyOf(gauges.keySet());
  }

  /** Every stat, sorted by name. */
  public Map<String, Long> snapshot() {
    var out = new TreeMap<String, Long>();
    counters.forEach((k, v) -> out.put(k, v.get()));
    gauges.forEach((k, v) -> out.put(k, v.getAsLong()));
    return out;
  }
}
