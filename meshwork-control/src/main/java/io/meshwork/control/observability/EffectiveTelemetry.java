package io.meshwork.control.observability;

import io.meshwork.config.telemetry.AccessLogging;
import io.meshwork.config.telemetry.Telemetry;
import io.meshwork.config.telemetry.Tracing;
import io.meshwork.config.telemetry.WorkloadMode;
import io.meshwork.control.store.ConfigStore;
import io.meshwork.control.translate.MeshContext;
import io.meshwork.xds.client.NodeInfo;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The tracing and access log settings that apply to one proxy, for one traffic direction. Telemetry
 * resources apply from the widest scope to the narrowest: the root namespace ({@code istio-system},
 * no selector), the proxy's namespace (no selector), then one selecting the proxy's labels; each
 * narrower one overrides the fields it sets, on top of the mesh defaults. Within a scope the oldest
 * resource wins, as in Istio. Resources attached with {@code targetRef(s)} (gateways, waypoints) are
 * not applied to sidecars.
 */
public final class EffectiveTelemetry {
  /** Istio's root namespace. */
  public static final String ROOT_NAMESPACE = "istio-system";

  /** Tracing for one direction; {@code provider} null means no tracing. */
  public record TracingSettings(String provider, double samplingPercent, boolean disableSpanReporting,
      Map<String, Tracing.CustomTag> customTags, boolean istioTags) {}

  /** Access logging for one direction; empty {@code providers} means no access log. */
  public record LoggingSettings(List<String> providers, String filter) {}

  private EffectiveTelemetry() {}

  /** The Telemetry resources that apply to {@code node}, widest scope first. */
  static List<Telemetry> scopes(MeshContext ctx, NodeInfo node) {
    List<ConfigStore.Typed<Telemetry>> all = ctx.memo("observability/telemetries",
        () -> ctx.snapshot().specs("telemetry.istio.io", "Telemetry", Telemetry.class));
    Telemetry root = null;
    Telemetry ns = null;
    Telemetry workload = null;
    for (var t : all) {
      var spec = t.spec();
      if (spec.targetRef() != null || (spec.targetRefs() != null && !spec.targetRefs().isEmpty())) {
        continue;
      }
      if (spec.selector() == null) {
        if (t.namespace().equals(ROOT_NAMESPACE) && root == null) {
          root = spec;
        }
        if (t.namespace().equals(node.namespace()) && !node.namespace().equals(ROOT_NAMESPACE) && ns == null) {
          ns = spec;
        }
      } else if (t.namespace().equals(node.namespace()) && workload == null && spec.selector().matches(node.labels())) {
        workload = spec;
      }
    }
    var out = new ArrayList<Telemetry>(3);
    for (var t : new Telemetry[] {root, ns, workload}) {
      if (t != null) {
        out.add(t);
      }
    }
    return out;
  }

  static boolean applies(WorkloadMode mode, boolean server) {
    return mode == null || mode == WorkloadMode.CLIENT_AND_SERVER || (mode == WorkloadMode.SERVER) == server;
  }

  public static TracingSettings tracing(List<Telemetry> scopes, MeshTelemetry mesh, boolean server) {
    String provider = mesh.defaultTracing().isEmpty() ? null : mesh.defaultTracing().getFirst();
    double sampling = mesh.defaultSamplingPercent();
    boolean disabled = false;
    boolean istioTags = true;
    var tags = new LinkedHashMap<String, Tracing.CustomTag>();
    for (var t : scopes) {
      if (t.tracing() == null) {
        continue;
      }
      for (var tr : t.tracing()) {
        if (!applies(tr.match() == null ? null : tr.match().mode(), server)) {
          continue;
        }
        if (tr.providers() != null && !tr.providers().isEmpty()) {
          provider = tr.providers().getFirst().name();
        }
        if (tr.randomSamplingPercentage() != null) {
          sampling = tr.randomSamplingPercentage();
        }
        if (tr.disableSpanReporting() != null) {
          disabled = tr.disableSpanReporting();
        }
        if (tr.enableIstioTags() != null) {
          istioTags = tr.enableIstioTags();
        }
        if (tr.customTags() != null) {
          tags.putAll(tr.customTags());
        }
      }
    }
    return new TracingSettings(provider, sampling, disabled, Map.copyOf(tags), istioTags);
  }

  public static LoggingSettings logging(List<Telemetry> scopes, MeshTelemetry mesh, boolean server) {
    List<String> providers = mesh.defaultAccessLogging();
    String filter = null;
    boolean disabled = false;
    for (var t : scopes) {
      if (t.accessLogging() == null) {
        continue;
      }
      for (AccessLogging a : t.accessLogging()) {
        if (!applies(a.match() == null ? null : a.match().mode(), server)) {
          continue;
        }
        if (a.providers() != null && !a.providers().isEmpty()) {
          providers = a.providers().stream().map(p -> p.name()).toList();
          disabled = false;
        } else if (providers.isEmpty() && (a.disabled() == null || !a.disabled())) {
          providers = List.of("envoy"); // an accessLogging entry without providers uses the default, envoy
        }
        if (a.disabled() != null) {
          disabled = a.disabled();
        }
        if (a.filter() != null) {
          filter = a.filter().expression();
        }
      }
    }
    return new LoggingSettings(disabled ? List.of() : providers, filter);
  }
}
