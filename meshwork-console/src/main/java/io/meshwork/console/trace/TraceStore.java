package io.meshwork.console.trace;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The bounded trace store. Traces are kept in arrival order of their first span; when either cap
 * (trace count or estimated bytes) is exceeded the oldest traces are dropped whole and counted, so
 * the store never grows past its caps no matter how fast spans arrive. One lock guards everything:
 * appends are a map lookup and a list add, which keeps ingest well above 50k spans/s on two cores.
 */
public final class TraceStore {
  private final int maxTraces;
  private final long maxBytes;
  private final LinkedHashMap<String, Trace> traces = new LinkedHashMap<>();
  /**
   * service -> operation -> span kind -> live span count; entries vanish when the count is 0.
   * Hash maps (sorted only when read): this is updated for every span added and evicted.
   */
  private final Map<String, Map<String, Map<SpanKind, Integer>>> operations = new HashMap<>();
  private long bytes;
  private long spanCount;
  private final AtomicLong evictedTraces = new AtomicLong();
  private final AtomicLong evictedSpans = new AtomicLong();
  private final AtomicLong receivedSpans = new AtomicLong();
  private volatile Consumer<List<Span>> listener = b -> {};

  public TraceStore(int maxTraces, long maxBytes) {
    if (maxTraces <= 0 || maxBytes <= 0) {
      throw new IllegalArgumentException("trace store caps must be positive (max traces " + maxTraces + ", max bytes " + maxBytes + ")");
    }
    this.maxTraces = maxTraces;
    this.maxBytes = maxBytes;
  }

  /** Called with every accepted batch after it is stored (the persistence log hooks in here). */
  public void onAppend(Consumer<List<Span>> listener) {
    this.listener = listener;
  }

  /** Adds spans and notifies the listener. */
  public void add(List<Span> batch) {
    synchronized (this) {
      addQuietly(batch);
      // Inside the lock so a persistence snapshot never races with a batch's log line.
      listener.accept(batch);
    }
  }

  /** Adds spans without notifying the listener (used when replaying the persistence log). */
  public void addQuietly(Collection<Span> batch) {
    synchronized (this) {
      for (Span s : batch) {
        var t = traces.computeIfAbsent(s.traceId(), Trace::new);
        t.spans.add(s);
        long b = s.estimatedBytes();
        t.bytes += b;
        bytes += b;
        spanCount++;
        count(s, +1);
      }
      while (traces.size() > maxTraces || (bytes > maxBytes && !traces.isEmpty())) {
        evictOldest();
      }
    }
    receivedSpans.addAndGet(batch.size());
  }

  private void evictOldest() {
    var it = traces.values().iterator();
    Trace t = it.next();
    it.remove();
    bytes -= t.bytes;
    spanCount -= t.spans.size();
    for (Span s : t.spans) {
      count(s, -1);
    }
    evictedTraces.incrementAndGet();
    evictedSpans.addAndGet(t.spans.size());
  }

  private void count(Span s, int delta) {
    var ops = operations.computeIfAbsent(s.service(), k -> new HashMap<>());
    var kinds = ops.computeIfAbsent(s.name(), k -> new java.util.EnumMap<>(SpanKind.class));
    kinds.merge(s.kind(), delta, (a, b) -> a + b == 0 ? null : a + b);
    if (kinds.isEmpty()) {
      ops.remove(s.name());
      if (ops.isEmpty()) {
        operations.remove(s.service());
      }
    }
  }

  /** The spans of one trace, or an empty list. */
  public synchronized List<Span> trace(String traceId) {
    var t = traces.get(Ids.normalize(traceId));
    return t == null ? List.of() : t.snapshot();
  }

  /** Matching traces, newest first, at most {@code q.limit()}. */
  public synchronized List<List<Span>> find(TraceQuery q) {
    var out = new ArrayList<List<Span>>();
    var all = new ArrayList<>(traces.values());
    for (int i = all.size() - 1; i >= 0 && out.size() < q.limit(); i--) {
      Trace t = all.get(i);
      for (Span s : t.spans) {
        if (q.matches(s)) {
          out.add(t.snapshot());
          break;
        }
      }
    }
    return out;
  }

  /** Every trace, oldest first (used for snapshots and the dependency graph). */
  public synchronized List<List<Span>> all() {
    var out = new ArrayList<List<Span>>(traces.size());
    for (Trace t : traces.values()) {
      out.add(t.snapshot());
    }
    return out;
  }

  public synchronized List<String> services() {
    return List.copyOf(new TreeSet<>(operations.keySet()));
  }

  /** Operation name -> kinds seen, for one service. */
  public synchronized Map<String, List<SpanKind>> operations(String service) {
    var out = new TreeMap<String, List<SpanKind>>();
    operations.getOrDefault(service, Map.of()).forEach((op, kinds) -> out.put(op, List.copyOf(new TreeSet<>(kinds.keySet()))));
    return out;
  }

  public synchronized Stats stats() {
    return new Stats(traces.size(), spanCount, bytes, maxTraces, maxBytes, evictedTraces.get(), evictedSpans.get(), receivedSpans.get());
  }

  /** Store counters, shown in the UI and at {@code /api/console/stats}. */
  public record Stats(int traces, long spans, long bytes, int maxTraces, long maxBytes, long evictedTraces, long evictedSpans, long receivedSpans) {}
}
