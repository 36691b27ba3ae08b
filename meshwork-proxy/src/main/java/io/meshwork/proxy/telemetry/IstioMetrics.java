package io.meshwork.proxy.telemetry;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The store of Istio's standard metrics. A series is one metric with one label set; its cell is a
 * {@link LongAdder} (counters) or a {@link Histogram}. Two bounds keep memory and scrape size
 * finite whatever the traffic: labels never carry paths or ids (only the fields of
 * {@link LabelFacts} and the configured tag expressions), and at most {@code maxSeries} series exist;
 * a request that would create one more is not recorded and counts in
 * {@code meshwork_istio_series_overflow_total} instead.
 *
 * <p>Recording is cheap: the cells of a request are found through a cache keyed by its
 * {@link LabelFacts} (plus the values of configured tag expressions), so label strings are built
 * only the first time a combination is seen.
 */
public final class IstioMetrics {
  /** Default cap on the number of series across all istio_* metrics. */
  public static final int DEFAULT_MAX_SERIES = 10_000;
  private static final int MAX_CACHED = 8192;

  /** The cells of one request, each null when its metric is dropped or the series cap was hit. */
  public record RequestCells(LongAdder requests, Histogram duration, Histogram requestBytes, Histogram responseBytes,
      LongAdder requestMessages, LongAdder responseMessages) {}

  /** The cells of one TCP connection, each null when dropped or capped. */
  public record TcpCells(LongAdder sent, LongAdder received, LongAdder opened, LongAdder closed) {}

  private record SeriesKey(String[] names, String[] values) {
    @Override
    public boolean equals(Object o) {
      return o instanceof SeriesKey k && Arrays.equals(names, k.names) && Arrays.equals(values, k.values);
    }

    @Override
    public int hashCode() {
      return 31 * Arrays.hashCode(names) + Arrays.hashCode(values);
    }
  }

  private record CacheKey(LabelFacts facts, StatsConfig config, List<String> exprValues) {}

  private final int maxSeries;
  private final AtomicInteger seriesCount = new AtomicInteger();
  private final LongAdder overflow = new LongAdder();
  private final EnumMap<IstioMetric, ConcurrentHashMap<SeriesKey, Object>> series = new EnumMap<>(IstioMetric.class);
  private final ConcurrentHashMap<CacheKey, Object> cache = new ConcurrentHashMap<>();

  public IstioMetrics() {
    this(DEFAULT_MAX_SERIES);
  }

  public IstioMetrics(int maxSeries) {
    this.maxSeries = maxSeries;
    for (var m : IstioMetric.values()) {
      series.put(m, new ConcurrentHashMap<>());
    }
  }

  /** The cells a request with these facts records into (resolved once per distinct combination). */
  public RequestCells request(LabelFacts facts, StatsConfig config, TagExpr.RequestView request) {
    var key = new CacheKey(facts, config, exprValues(config, request, false));
    var cached = cache.get(key);
    if (cached instanceof RequestCells c) {
      return c;
    }
    var values = facts.values(false);
    var cells = new RequestCells(
        (LongAdder) cell(IstioMetric.REQUESTS_TOTAL, LabelFacts.NAMES, values, config, request),
        (Histogram) cell(IstioMetric.REQUEST_DURATION, LabelFacts.NAMES, values, config, request),
        (Histogram) cell(IstioMetric.REQUEST_BYTES, LabelFacts.NAMES, values, config, request),
        (Histogram) cell(IstioMetric.RESPONSE_BYTES, LabelFacts.NAMES, values, config, request),
        "grpc".equals(facts.protocol()) ? (LongAdder) cell(IstioMetric.REQUEST_MESSAGES, LabelFacts.NAMES, values, config, request) : null,
        "grpc".equals(facts.protocol()) ? (LongAdder) cell(IstioMetric.RESPONSE_MESSAGES, LabelFacts.NAMES, values, config, request) : null);
    remember(key, cells);
    return cells;
  }

  /** The cells of a TCP connection with these facts. */
  public TcpCells tcp(LabelFacts facts, StatsConfig config) {
    var key = new CacheKey(facts, config, exprValues(config, null, true));
    var cached = cache.get(key);
    if (cached instanceof TcpCells c) {
      return c;
    }
    var values = facts.values(true);
    var cells = new TcpCells(
        (LongAdder) cell(IstioMetric.TCP_SENT_BYTES, LabelFacts.TCP_NAMES, values, config, null),
        (LongAdder) cell(IstioMetric.TCP_RECEIVED_BYTES, LabelFacts.TCP_NAMES, values, config, null),
        (LongAdder) cell(IstioMetric.TCP_CONNECTIONS_OPENED, LabelFacts.TCP_NAMES, values, config, null),
        (LongAdder) cell(IstioMetric.TCP_CONNECTIONS_CLOSED, LabelFacts.TCP_NAMES, values, config, null));
    remember(key, cells);
    return cells;
  }

  private void remember(CacheKey key, Object cells) {
    if (cache.size() >= MAX_CACHED) {
      cache.clear(); // the cells live on in the series maps; only the shortcut is rebuilt
    }
    cache.put(key, cells);
  }

  private static List<String> exprValues(StatsConfig config, TagExpr.RequestView request, boolean tcp) {
    if (config.overrides().isEmpty()) {
      return List.of();
    }
    var out = new ArrayList<String>();
    config.overrides().forEach((m, o) -> {
      if (m.tcp() == tcp) {
        o.upserts().values().forEach(e -> out.add(e.eval(request)));
      }
    });
    return out;
  }

  private Object cell(IstioMetric metric, String[] names, String[] values, StatsConfig config, TagExpr.RequestView request) {
    var o = config.of(metric);
    if (o.drop()) {
      return null;
    }
    var key = o.upserts().isEmpty() && o.removes().isEmpty() ? new SeriesKey(names, values) : override(names, values, o, request);
    var map = series.get(metric);
    var existing = map.get(key);
    if (existing != null) {
      return existing;
    }
    if (seriesCount.get() >= maxSeries) {
      overflow.increment();
      return null;
    }
    return map.computeIfAbsent(key, k -> {
      seriesCount.incrementAndGet();
      return metric.histogram() ? new Histogram(Histogram.ISTIO_BUCKETS) : new LongAdder();
    });
  }

  private static SeriesKey override(String[] names, String[] values, StatsConfig.MetricOverride o, TagExpr.RequestView request) {
    var n = new ArrayList<String>();
    var v = new ArrayList<String>();
    for (int i = 0; i < names.length; i++) {
      if (o.removes().contains(names[i])) {
        continue;
      }
      var e = o.upserts().get(names[i]);
      n.add(names[i]);
      v.add(e == null ? values[i] : e.eval(request));
    }
    o.upserts().forEach((tag, e) -> {
      if (!n.contains(tag)) {
        n.add(tag);
        v.add(e.eval(request));
      }
    });
    return new SeriesKey(n.toArray(String[]::new), v.toArray(String[]::new));
  }

  /** Requests not recorded because the series cap was reached. */
  public long overflowCount() {
    return overflow.sum();
  }

  public int seriesCount() {
    return seriesCount.get();
  }

  /** The value of a counter series whose labels include {@code labels} (tests and tools), summed. */
  public long counterSum(IstioMetric metric, java.util.Map<String, String> labels) {
    long sum = 0;
    for (var e : series.get(metric).entrySet()) {
      if (matches(e.getKey(), labels)) {
        sum += e.getValue() instanceof LongAdder a ? a.sum() : ((Histogram) e.getValue()).count();
      }
    }
    return sum;
  }

  /** Each series' labels as a map (tests and tools). */
  public List<java.util.Map<String, String>> seriesLabels(IstioMetric metric) {
    var out = new ArrayList<java.util.Map<String, String>>();
    for (var k : series.get(metric).keySet()) {
      var m = new java.util.LinkedHashMap<String, String>();
      for (int i = 0; i < k.names().length; i++) {
        m.put(k.names()[i], k.values()[i]);
      }
      out.add(m);
    }
    return out;
  }

  private static boolean matches(SeriesKey k, java.util.Map<String, String> labels) {
    for (var e : labels.entrySet()) {
      int i = Arrays.asList(k.names()).indexOf(e.getKey());
      if (i < 0 || !k.values()[i].equals(e.getValue())) {
        return false;
      }
    }
    return true;
  }

  /**
   * Appends every series in the Prometheus text format (0.0.4), or in OpenMetrics 1.0 when
   * {@code openMetrics} (counter families are then named without {@code _total}).
   */
  public void render(StringBuilder sb, boolean openMetrics) {
    for (var m : IstioMetric.values()) {
      var map = series.get(m);
      if (map.isEmpty()) {
        continue;
      }
      var name = m.prometheusName();
      var family = openMetrics && !m.histogram() && name.endsWith("_total") ? name.substring(0, name.length() - 6) : name;
      sb.append("# TYPE ").append(family).append(' ').append(m.histogram() ? "histogram" : "counter").append('\n');
      map.forEach((k, cell) -> {
        if (cell instanceof LongAdder a) {
          sb.append(name);
          labels(sb, k, null);
          sb.append(' ').append(a.sum()).append('\n');
        } else {
          var h = (Histogram) cell;
          var cum = h.cumulative();
          var bounds = h.bounds();
          for (int i = 0; i < cum.length; i++) {
            sb.append(name).append("_bucket");
            labels(sb, k, i < bounds.length ? number(bounds[i]) : "+Inf");
            sb.append(' ').append(cum[i]).append('\n');
          }
          sb.append(name).append("_sum");
          labels(sb, k, null);
          sb.append(' ').append(number(h.sum())).append('\n');
          sb.append(name).append("_count");
          labels(sb, k, null);
          sb.append(' ').append(cum[cum.length - 1]).append('\n');
        }
      });
    }
    var overflowName = openMetrics ? "meshwork_istio_series_overflow" : "meshwork_istio_series_overflow_total";
    sb.append("# TYPE ").append(overflowName).append(" counter\n");
    sb.append("meshwork_istio_series_overflow_total ").append(overflow.sum()).append('\n');
  }

  private static void labels(StringBuilder sb, SeriesKey k, String le) {
    sb.append('{');
    for (int i = 0; i < k.names().length; i++) {
      if (i > 0) {
        sb.append(',');
      }
      sb.append(k.names()[i]).append("=\"");
      escape(sb, k.values()[i]);
      sb.append('"');
    }
    if (le != null) {
      sb.append(k.names().length > 0 ? "," : "").append("le=\"").append(le).append('"');
    }
    sb.append('}');
  }

  static void escape(StringBuilder sb, String v) {
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      switch (c) {
        case '\\' -> sb.append("\\\\");
        case '"' -> sb.append("\\\"");
        case '\n' -> sb.append("\\n");
        default -> sb.append(c);
      }
    }
  }

  static String number(double d) {
    if (d == Math.rint(d) && Math.abs(d) < 1e15) {
      return Long.toString((long) d);
    }
    return Double.toString(d);
  }
}
