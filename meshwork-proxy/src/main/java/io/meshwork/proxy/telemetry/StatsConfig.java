package io.meshwork.proxy.telemetry;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.meshwork.proxy.config.ConfigException;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * The effective Telemetry API metric overrides for one listener, in the shape of Istio's stats
 * plugin config ({@code stats.PluginConfig}) carried as a {@code google.protobuf.Struct}:
 * <pre>
 * metrics:
 * - name: requests_total          # empty or absent: every metric
 *   drop: true                    # Telemetry "disabled: true"
 *   dimensions: {tag: expression} # tagOverrides UPSERT
 *   tags_to_remove: [tag]         # tagOverrides REMOVE
 * </pre>
 * Entries apply in order, so a later entry for one metric overrides an earlier one for all.
 */
public record StatsConfig(Map<IstioMetric, MetricOverride> overrides) {
  /** No overrides: Istio's standard metrics and labels. */
  public static final StatsConfig DEFAULT = new StatsConfig(Map.of());

  public StatsConfig {
    overrides = Map.copyOf(overrides);
  }

  /** What one metric becomes: dropped, or with tags upserted ({@code tag -> expression}) and removed. */
  public record MetricOverride(boolean drop, Map<String, TagExpr> upserts, Set<String> removes) {
    static final MetricOverride NONE = new MetricOverride(false, Map.of(), Set.of());

    public MetricOverride {
      upserts = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(upserts));
      removes = java.util.Collections.unmodifiableSet(new LinkedHashSet<>(removes));
    }
  }

  public MetricOverride of(IstioMetric metric) {
    return overrides.getOrDefault(metric, MetricOverride.NONE);
  }

  public boolean dropped(IstioMetric metric) {
    return of(metric).drop();
  }

  /** Parses the Struct form; errors name {@code path} and the field. */
  public static StatsConfig fromStruct(Struct s, String path) throws ConfigException {
    var metricsValue = s.getFieldsMap().get("metrics");
    if (metricsValue == null) {
      return DEFAULT;
    }
    if (!metricsValue.hasListValue()) {
      throw new ConfigException(path + ".metrics", "must be a list of metric configs");
    }
    var drop = new EnumMap<IstioMetric, Boolean>(IstioMetric.class);
    var upserts = new EnumMap<IstioMetric, LinkedHashMap<String, TagExpr>>(IstioMetric.class);
    var removes = new EnumMap<IstioMetric, LinkedHashSet<String>>(IstioMetric.class);
    var list = metricsValue.getListValue().getValuesList();
    for (int i = 0; i < list.size(); i++) {
      var p = path + ".metrics[" + i + "]";
      if (!list.get(i).hasStructValue()) {
        throw new ConfigException(p, "must be an object");
      }
      var f = list.get(i).getStructValue().getFieldsMap();
      var name = f.containsKey("name") ? f.get("name").getStringValue() : "";
      Set<IstioMetric> targets;
      if (name.isEmpty()) {
        targets = java.util.EnumSet.allOf(IstioMetric.class);
      } else {
        var m = IstioMetric.byName(name);
        if (m == null) {
          throw new ConfigException(p + ".name", "unknown metric \"" + name + "\"; use a standard Istio metric such as requests_total");
        }
        targets = java.util.EnumSet.of(m);
      }
      boolean d = f.containsKey("drop") && f.get("drop").getBoolValue();
      var dims = new LinkedHashMap<String, TagExpr>();
      if (f.containsKey("dimensions")) {
        for (var e : f.get("dimensions").getStructValue().getFieldsMap().entrySet()) {
          if (!e.getKey().matches("[a-zA-Z_][a-zA-Z0-9_]*")) {
            throw new ConfigException(p + ".dimensions." + e.getKey(),
                "is not a valid Prometheus label name; use letters, digits and underscores, not starting with a digit");
          }
          dims.put(e.getKey(), TagExpr.parse(e.getValue().getStringValue(), p + ".dimensions." + e.getKey()));
        }
      }
      var rm = new LinkedHashSet<String>();
      if (f.containsKey("tags_to_remove")) {
        for (Value v : f.get("tags_to_remove").getListValue().getValuesList()) {
          rm.add(v.getStringValue());
        }
      }
      for (var m : targets) {
        if (f.containsKey("drop")) {
          drop.put(m, d);
        }
        var u = upserts.computeIfAbsent(m, k -> new LinkedHashMap<>());
        var r = removes.computeIfAbsent(m, k -> new LinkedHashSet<>());
        dims.forEach((k, v) -> {
          u.put(k, v);
          r.remove(k);
        });
        rm.forEach(k -> {
          r.add(k);
          u.remove(k);
        });
      }
    }
    var out = new EnumMap<IstioMetric, MetricOverride>(IstioMetric.class);
    for (var m : IstioMetric.values()) {
      boolean d = drop.getOrDefault(m, false);
      var u = upserts.getOrDefault(m, new LinkedHashMap<>());
      var r = removes.getOrDefault(m, new LinkedHashSet<>());
      if (d || !u.isEmpty() || !r.isEmpty()) {
        out.put(m, new MetricOverride(d, u, r));
      }
    }
    return new StatsConfig(out);
  }
}
