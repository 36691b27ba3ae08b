package io.meshwork.console.metrics;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The bounded in-memory time-series store. Samples older than the retention are dropped on write
 * and by {@link #prune(long)}; when the estimated size passes {@code maxBytes}, the series written
 * least recently are dropped whole (and counted), so memory stays under the cap even when label
 * cardinality explodes.
 */
public final class SeriesStore {
  private final long retentionMillis;
  private final long maxBytes;
  /** Access-ordered: every write moves the series to the tail, so the head is least recent. */
  private final LinkedHashMap<String, Series> series = new LinkedHashMap<>(1024, 0.75f, true);
  private final Map<String, List<Series>> byName = new HashMap<>();
  private long bytes;
  private long evictedSeries;
  private long samples;

  public SeriesStore(Duration retention, long maxBytes) {
    this.retentionMillis = retention.toMillis();
    this.maxBytes = maxBytes;
  }

  /** Adds one sample. {@code labels} must not be modified afterwards. */
  public synchronized void add(String name, Map<String, String> labels, long millis, double value) {
    String key = key(name, labels);
    Series s = series.get(key);
    if (s == null) {
      s = new Series(name, Map.copyOf(new TreeMap<>(labels)));
      series.put(key, s);
      byName.computeIfAbsent(name, k -> new ArrayList<>()).add(s);
      bytes += s.bytes();
    }
    long before = s.bytes();
    int n = s.size();
    s.add(millis, value, millis - retentionMillis);
    bytes += s.bytes() - before;
    samples += s.size() - n;
    while (bytes > maxBytes && series.size() > 1) {
      evictLeastRecent();
    }
  }

  private static String key(String name, Map<String, String> labels) {
    var sb = new StringBuilder(name).append('{');
    new TreeMap<>(labels).forEach((k, v) -> sb.append(k).append('=').append(v).append('\u0000'));
    return sb.toString();
  }

  private void evictLeastRecent() {
    Iterator<Series> it = series.values().iterator();
    Series s = it.next();
    it.remove();
    drop(s);
    evictedSeries++;
  }

  private void drop(Series s) {
    bytes -= s.bytes();
    samples -= s.size();
    var list = byName.get(s.name);
    list.remove(s);
    if (list.isEmpty()) {
      byName.remove(s.name);
    }
  }

  /** Drops samples past the retention and series with none left (the scraper calls this). */
  public synchronized void prune(long nowMillis) {
    long oldest = nowMillis - retentionMillis;
    for (Iterator<Series> it = series.values().iterator(); it.hasNext(); ) {
      Series s = it.next();
      long before = s.bytes();
      int n = s.size();
      s.trim(oldest);
      bytes += s.bytes() - before;
      samples += s.size() - n;
      if (s.size() == 0) {
        it.remove();
        drop(s);
      }
    }
  }

  /** Calls {@code visitor} for every series of {@code name} whose labels match. */
  synchronized void select(String name, List<Matcher> matchers, SeriesVisitor visitor) {
    outer:
    for (Series s : byName.getOrDefault(name, List.of())) {
      for (Matcher m : matchers) {
        if (!m.test(s.labels.get(m.label()))) {
          continue outer;
        }
      }
      visitor.visit(s);
    }
  }

  interface SeriesVisitor {
    void visit(Series s);
  }

  public synchronized Stats stats() {
    return new Stats(series.size(), samples, bytes, maxBytes, evictedSeries, retentionMillis / 1000);
  }

  /** Store counters for {@code /api/console/stats}. */
  public record Stats(int series, long samples, long bytes, long maxBytes, long evictedSeries, long retentionSeconds) {}
}
