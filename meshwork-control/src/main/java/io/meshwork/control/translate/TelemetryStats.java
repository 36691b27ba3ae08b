package io.meshwork.control.translate;

import com.google.protobuf.ListValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.core.v3.Metadata;
import io.envoyproxy.envoy.config.core.v3.TrafficDirection;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.meshwork.config.telemetry.MetricsOverrides;
import io.meshwork.config.telemetry.Telemetry;
import io.meshwork.config.telemetry.WorkloadMode;
import io.meshwork.control.registry.Endpoint;
import io.meshwork.control.store.ConfigStore;
import io.meshwork.xds.client.NodeInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Telemetry API {@code metrics} for one proxy, translated the way Istio does: the effective
 * Telemetry is the root namespace's ({@code istio-system}, no selector), then the proxy's
 * namespace-wide one, then one whose selector matches the proxy's labels; their overrides apply in
 * that order (later wins), and the most specific {@code providers} list wins. The result, per
 * direction (CLIENT overrides for outbound listeners and gateways, SERVER for inbound), is Istio's
 * stats plugin config: an {@code istio.stats} HTTP filter before the router whose
 * {@code xds.type.v3.TypedStruct} (type {@code stats.PluginConfig}) carries
 * {@code {metrics: [{name, drop, dimensions, tags_to_remove}]}}, and the same Struct in the
 * listener's {@code filter_metadata["istio.stats"]} for TCP listeners. Nothing is added when no
 * Telemetry sets metrics, so meshes without Telemetry get exactly the resources they got before.
 *
 * <p>Also the EDS endpoint metadata Istio uses so a client proxy knows the destination workload
 * before any response: {@code filter_metadata.istio.workload = NAME;NS;CANONICAL_SVC;CANONICAL_REV;CLUSTER}.
 */
final class TelemetryStats {
  static final String ROOT_NAMESPACE = "istio-system";
  static final String FILTER = "istio.stats";
  static final String PLUGIN_TYPE = "type.googleapis.com/stats.PluginConfig";

  private TelemetryStats() {}

  /** The Telemetry resources that apply to {@code node}, widest first. */
  static List<Telemetry> applicable(MeshContext ctx, NodeInfo node) {
    var all = ctx.snapshot().specs("telemetry.istio.io", "Telemetry", Telemetry.class);
    Telemetry root = null;
    Telemetry ns = null;
    Telemetry workload = null;
    for (ConfigStore.Typed<Telemetry> t : all) {
      var spec = t.spec();
      if (spec.targetRef() != null || !spec.targetRefs().isEmpty()) {
        continue; // policy attachment to Services/Gateways is not translated
      }
      if (spec.selector() == null) {
        if (t.namespace().equals(ROOT_NAMESPACE) && root == null) {
          root = spec;
        } else if (t.namespace().equals(node.namespace()) && ns == null) {
          ns = spec;
        }
      } else if (t.namespace().equals(node.namespace()) && workload == null && spec.selector().matches(node.labels())) {
        workload = spec;
      }
    }
    var out = new ArrayList<Telemetry>();
    for (var t : new Telemetry[] {root, ns, workload}) {
      if (t != null && !t.metrics().isEmpty()) {
        out.add(t);
      }
    }
    return out;
  }

  /**
   * The stats plugin config for one direction ({@code inbound}: SERVER mode), or null when no
   * Telemetry sets metrics for this proxy.
   */
  static Struct pluginConfig(List<Telemetry> telemetries, boolean inbound) {
    if (telemetries.isEmpty()) {
      return null;
    }
    List<String> providers = null;
    var entries = new ArrayList<Value>();
    for (var t : telemetries) {
      for (var m : t.metrics()) {
        if (!m.providers().isEmpty()) {
          providers = m.providers().stream().map(p -> p.name()).toList();
        }
        for (var o : m.overrides()) {
          var mode = o.match() == null || o.match().mode() == null ? WorkloadMode.CLIENT_AND_SERVER : o.match().mode();
          if (mode == WorkloadMode.CLIENT && inbound || mode == WorkloadMode.SERVER && !inbound) {
            continue;
          }
          if (o.match() != null && o.match().customMetric() != null) {
            continue; // custom metrics are not produced by the proxy
          }
          entries.add(Value.newBuilder().setStructValue(entry(o)).build());
        }
      }
    }
    if (providers != null && !providers.contains("prometheus")) {
      // metrics go to no provider the proxy serves: drop them all
      entries.add(Value.newBuilder().setStructValue(Struct.newBuilder().putFields("drop", Value.newBuilder().setBoolValue(true).build()))
          .build());
    }
    return Struct.newBuilder().putFields("metrics", Value.newBuilder().setListValue(ListValue.newBuilder().addAllValues(entries)).build())
        .build();
  }

  private static Struct entry(MetricsOverrides o) {
    var s = Struct.newBuilder();
    var metric = o.match() == null || o.match().metric() == null ? MetricsOverrides.IstioMetric.ALL_METRICS : o.match().metric();
    s.putFields("name", str(metricName(metric)));
    if (o.disabled() != null) {
      s.putFields("drop", Value.newBuilder().setBoolValue(o.disabled()).build());
    }
    var dims = Struct.newBuilder();
    var remove = ListValue.newBuilder();
    for (Map.Entry<String, MetricsOverrides.TagOverride> e : o.tagOverrides().entrySet()) {
      if (e.getValue().operation() == MetricsOverrides.TagOperation.REMOVE) {
        remove.addValues(str(e.getKey()));
      } else {
        dims.putFields(e.getKey(), str(e.getValue().value()));
      }
    }
    if (dims.getFieldsCount() > 0) {
      s.putFields("dimensions", Value.newBuilder().setStructValue(dims).build());
    }
    if (remove.getValuesCount() > 0) {
      s.putFields("tags_to_remove", Value.newBuilder().setListValue(remove).build());
    }
    return s.build();
  }

  /** Istio's stats plugin names for the Telemetry API metric enum (empty: every metric). */
  static String metricName(MetricsOverrides.IstioMetric m) {
    return switch (m) {
      case ALL_METRICS -> "";
      case REQUEST_COUNT -> "requests_total";
      case REQUEST_DURATION -> "request_duration_milliseconds";
      case REQUEST_SIZE -> "request_bytes";
      case RESPONSE_SIZE -> "response_bytes";
      case TCP_OPENED_CONNECTIONS -> "tcp_connections_opened_total";
      case TCP_CLOSED_CONNECTIONS -> "tcp_connections_closed_total";
      case TCP_SENT_BYTES -> "tcp_sent_bytes_total";
      case TCP_RECEIVED_BYTES -> "tcp_received_bytes_total";
      case GRPC_REQUEST_MESSAGES -> "request_messages_total";
      case GRPC_RESPONSE_MESSAGES -> "response_messages_total";
    };
  }

  private static Value str(String s) {
    return Value.newBuilder().setStringValue(s).build();
  }

  /** Adds the stats config to every listener of the proxy (no-op without applicable Telemetry). */
  static void apply(MeshContext ctx, NodeInfo node, Map<String, Listener> listeners) {
    var telemetries = applicable(ctx, node);
    if (telemetries.isEmpty()) {
      return;
    }
    var outbound = pluginConfig(telemetries, false);
    var inbound = pluginConfig(telemetries, true);
    listeners.replaceAll((name, l) -> withStats(l, l.getTrafficDirection() == TrafficDirection.INBOUND ? inbound : outbound));
  }

  static Listener withStats(Listener l, Struct config) {
    if (l.hasApiListener()) {
      return l; // proxyless gRPC clients record no istio_* metrics
    }
    var b = l.toBuilder();
    boolean tcp = false;
    for (var chain : b.getFilterChainsBuilderList()) {
      for (int i = 0; i < chain.getFiltersCount(); i++) {
        var f = chain.getFilters(i);
        if (f.getName().equals(Filters.HCM)) {
          chain.setFilters(i, withStatsFilter(f, config));
        } else if (f.getName().equals(Filters.TCP_PROXY)) {
          tcp = true;
        }
      }
    }
    if (tcp) {
      b.setMetadata(Metadata.newBuilder(b.getMetadata()).putFilterMetadata(FILTER, config));
    }
    return b.build();
  }

  private static Filter withStatsFilter(Filter f, Struct config) {
    try {
      var hcm = f.getTypedConfig().unpack(HttpConnectionManager.class).toBuilder();
      var typed = com.github.xds.type.v3.TypedStruct.newBuilder().setTypeUrl(PLUGIN_TYPE).setValue(config).build();
      hcm.addHttpFilters(Math.max(0, hcm.getHttpFiltersCount() - 1),
          HttpFilter.newBuilder().setName(FILTER).setTypedConfig(Protos.any(typed)));
      return f.toBuilder().setTypedConfig(Protos.any(hcm.build())).build();
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      throw new IllegalStateException("a generated connection manager could not be decoded", e);
    }
  }

  /**
   * Istio's endpoint metadata for a workload endpoint ({@code ns/name}); null for endpoints that are
   * not workloads (ServiceEntry addresses, DNS names).
   */
  static Metadata endpointMetadata(Endpoint e) {
    var w = e.workload();
    int slash = w == null ? -1 : w.indexOf('/');
    if (slash <= 0 || w.startsWith("dns")) {
      return null;
    }
    var ns = w.substring(0, slash);
    var name = w.substring(slash + 1);
    var ipSuffix = "-" + e.address().replace('.', '-').replace(':', '-');
    if (name.endsWith(ipSuffix) && name.length() > ipSuffix.length()) {
      name = name.substring(0, name.length() - ipSuffix.length()); // auto-registered NAME-IP entries
    }
    var labels = e.labels();
    var service = first(labels, name, "service.istio.io/canonical-name", "app.kubernetes.io/name", "app");
    var revision = first(labels, "latest", "service.istio.io/canonical-revision", "app.kubernetes.io/version", "version");
    var value = name + ";" + ns + ";" + service + ";" + revision + ";Kubernetes";
    return Metadata.newBuilder().putFilterMetadata("istio", Struct.newBuilder().putFields("workload", str(value)).build()).build();
  }

  private static String first(Map<String, String> labels, String fallback, String... keys) {
    for (var k : keys) {
      var v = labels.get(k);
      if (v != null && !v.isEmpty()) {
        return v;
      }
    }
    return fallback;
  }
}
