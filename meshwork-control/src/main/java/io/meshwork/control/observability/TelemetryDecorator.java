package io.meshwork.control.observability;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.accesslog.v3.AccessLog;
import io.envoyproxy.envoy.config.accesslog.v3.AccessLogFilter;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.config.core.v3.HttpService;
import io.envoyproxy.envoy.config.core.v3.HttpUri;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.core.v3.SubstitutionFormatString;
import io.envoyproxy.envoy.config.core.v3.TrafficDirection;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.Endpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.trace.v3.OpenTelemetryConfig;
import io.envoyproxy.envoy.config.trace.v3.ZipkinConfig;
import io.envoyproxy.envoy.extensions.access_loggers.filters.cel.v3.ExpressionFilter;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import io.envoyproxy.envoy.type.tracing.v3.CustomTag;
import io.envoyproxy.envoy.type.v3.Percent;
import io.meshwork.control.translate.MeshContext;
import io.meshwork.control.translate.ProxyResources;
import io.meshwork.xds.client.NodeInfo;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Adds what Istio adds for telemetry to one proxy's translated resources: the HCM {@code tracing}
 * block (provider {@code envoy.tracers.zipkin} or {@code envoy.tracers.opentelemetry}, the
 * collector cluster, {@code random_sampling}, Istio's custom tags plus the Telemetry's) and
 * {@code access_log} entries ({@code envoy.access_loggers.file} with the provider's text or JSON
 * format and the Telemetry's CEL filter) on every HTTP connection manager and TCP proxy. Listener
 * {@code traffic_direction} INBOUND gets the SERVER settings, everything else the CLIENT ones.
 * When neither the mesh defaults nor any Telemetry resource ask for anything, the resources are
 * returned unchanged (same objects).
 */
public final class TelemetryDecorator {
  static final String ZIPKIN = "envoy.tracers.zipkin";
  static final String OTEL = "envoy.tracers.opentelemetry";
  static final String FILE_LOG = "envoy.access_loggers.file";
  static final String CEL = "envoy.access_loggers.extension_filters.cel";

  private TelemetryDecorator() {}

  public static ProxyResources apply(ProxyResources r, MeshContext ctx, NodeInfo node, MeshTelemetry mesh) {
    if (node.isProxylessGrpc()) {
      return r;
    }
    var scopes = EffectiveTelemetry.scopes(ctx, node);
    if (scopes.isEmpty() && mesh.quietByDefault()) {
      return r;
    }
    var clusters = new TreeMap<>(r.clusters());
    var listeners = new TreeMap<String, Listener>();
    var perDirection = new java.util.HashMap<Boolean, Additions>();
    for (var e : r.listeners().entrySet()) {
      boolean server = e.getValue().getTrafficDirection() == TrafficDirection.INBOUND;
      var add = perDirection.computeIfAbsent(server, s -> additions(scopes, mesh, node, s, clusters));
      listeners.put(e.getKey(), add.isEmpty() ? e.getValue() : decorate(e.getValue(), add));
    }
    return new ProxyResources(Collections.unmodifiableSortedMap(listeners), r.routes(),
        Collections.unmodifiableSortedMap(clusters), r.endpoints());
  }

  /** The tracing block (null: none) and access logs for one direction. */
  private record Additions(HttpConnectionManager.Tracing tracing, List<AccessLog> logs) {
    boolean isEmpty() {
      return tracing == null && logs.isEmpty();
    }
  }

  private static Additions additions(List<io.meshwork.config.telemetry.Telemetry> scopes, MeshTelemetry mesh, NodeInfo node,
      boolean server, Map<String, Cluster> clusters) {
    var t = EffectiveTelemetry.tracing(scopes, mesh, server);
    HttpConnectionManager.Tracing tracing = null;
    var provider = t.provider() == null ? null : mesh.providers().get(t.provider());
    if (provider instanceof MeshTelemetry.Zipkin || provider instanceof MeshTelemetry.OpenTelemetry) {
      tracing = tracing(t, provider, node, clusters);
    }
    var l = EffectiveTelemetry.logging(scopes, mesh, server);
    var logs = new ArrayList<AccessLog>();
    for (var name : l.providers()) {
      if (mesh.providers().get(name) instanceof MeshTelemetry.FileAccessLog f) {
        logs.add(accessLog(f, l.filter()));
      }
    }
    return new Additions(tracing, List.copyOf(logs));
  }

  static String canonicalService(NodeInfo node) {
    var labels = node.labels();
    var v = labels.getOrDefault("service.istio.io/canonical-name", labels.get("app.kubernetes.io/name"));
    v = v != null ? v : labels.get("app");
    return v != null ? v : node.workloadName().isEmpty() ? "unknown" : node.workloadName();
  }

  static String canonicalRevision(NodeInfo node) {
    var labels = node.labels();
    var v = labels.getOrDefault("service.istio.io/canonical-revision", labels.get("app.kubernetes.io/version"));
    v = v != null ? v : labels.get("version");
    return v != null ? v : "latest";
  }

  private static HttpConnectionManager.Tracing tracing(EffectiveTelemetry.TracingSettings t, MeshTelemetry.Provider provider,
      NodeInfo node, Map<String, Cluster> clusters) {
    var b = HttpConnectionManager.Tracing.newBuilder()
        .setClientSampling(Percent.newBuilder().setValue(100))
        .setRandomSampling(Percent.newBuilder().setValue(t.samplingPercent()))
        .setOverallSampling(Percent.newBuilder().setValue(t.disableSpanReporting() ? 0 : 100));
    if (t.istioTags()) {
      literal(b, "istio.canonical_revision", canonicalRevision(node));
      literal(b, "istio.canonical_service", canonicalService(node));
      literal(b, "istio.mesh_id", "cluster.local");
      literal(b, "istio.namespace", node.namespace());
      literal(b, "istio.cluster_id", "Kubernetes");
    }
    for (var e : new TreeMap<>(t.customTags()).entrySet()) {
      var tag = e.getValue();
      var ct = CustomTag.newBuilder().setTag(e.getKey());
      if (tag.literal() != null) {
        ct.setLiteral(CustomTag.Literal.newBuilder().setValue(tag.literal().value()));
      } else if (tag.environment() != null) {
        ct.setEnvironment(CustomTag.Environment.newBuilder().setName(tag.environment().name())
            .setDefaultValue(nullToEmpty(tag.environment().defaultValue())));
      } else if (tag.header() != null) {
        ct.setRequestHeader(CustomTag.Header.newBuilder().setName(tag.header().name())
            .setDefaultValue(nullToEmpty(tag.header().defaultValue())));
      } else {
        continue; // formatter tags: the proxy has no formatter-valued tags yet
      }
      b.addCustomTags(ct);
    }
    switch (provider) {
      case MeshTelemetry.Zipkin z -> {
        var cluster = collectorCluster(z.host(), z.port(), clusters);
        b.setProvider(HttpConnectionManager.Tracing.newBuilder().getProviderBuilder().setName(ZIPKIN)
            .setTypedConfig(Any.pack(ZipkinConfig.newBuilder().setCollectorCluster(cluster).setCollectorEndpoint(z.path())
                .setCollectorEndpointVersion(ZipkinConfig.CollectorEndpointVersion.HTTP_JSON)
                .setTraceId128Bit(true).setSharedSpanContext(com.google.protobuf.BoolValue.of(false)).build())));
      }
      case MeshTelemetry.OpenTelemetry o -> {
        var cluster = collectorCluster(o.host(), o.port(), clusters);
        var uri = "http://" + o.host() + ":" + o.port() + o.path();
        b.setProvider(HttpConnectionManager.Tracing.newBuilder().getProviderBuilder().setName(OTEL)
            .setTypedConfig(Any.pack(OpenTelemetryConfig.newBuilder()
                .setHttpService(HttpService.newBuilder().setHttpUri(HttpUri.newBuilder().setUri(uri).setCluster(cluster)
                    .setTimeout(com.google.protobuf.Duration.newBuilder().setSeconds(5))))
                .setServiceName(canonicalService(node) + "." + node.namespace()).build())));
      }
      default -> throw new IllegalStateException("not a tracing provider: " + provider);
    }
    return b.build();
  }

  private static void literal(HttpConnectionManager.Tracing.Builder b, String tag, String value) {
    b.addCustomTags(CustomTag.newBuilder().setTag(tag).setLiteral(CustomTag.Literal.newBuilder().setValue(value)));
  }

  /**
   * The cluster spans are sent to: the mesh's own {@code outbound|PORT||HOST} cluster when the
   * collector is a mesh service, else one added here (STATIC for an IP address, STRICT_DNS for a name).
   */
  static String collectorCluster(String host, int port, Map<String, Cluster> clusters) {
    var name = "outbound|" + port + "||" + host;
    if (clusters.containsKey(name)) {
      return name;
    }
    if (host.chars().filter(c -> c == '.').count() == 1) {
      var fqdn = "outbound|" + port + "||" + host + ".svc.cluster.local";
      if (clusters.containsKey(fqdn)) {
        return fqdn;
      }
    }
    boolean ip = host.matches("[0-9.]+") || host.contains(":");
    var cla = ClusterLoadAssignment.newBuilder().setClusterName(name).addEndpoints(LocalityLbEndpoints.newBuilder()
        .addLbEndpoints(LbEndpoint.newBuilder().setEndpoint(Endpoint.newBuilder().setAddress(Address.newBuilder()
            .setSocketAddress(SocketAddress.newBuilder().setAddress(host).setPortValue(port))))));
    clusters.put(name, Cluster.newBuilder().setName(name)
        .setType(ip ? Cluster.DiscoveryType.STATIC : Cluster.DiscoveryType.STRICT_DNS)
        .setConnectTimeout(com.google.protobuf.Duration.newBuilder().setSeconds(5)).setLoadAssignment(cla).build());
    return name;
  }

  static AccessLog accessLog(MeshTelemetry.FileAccessLog f, String filter) {
    var format = SubstitutionFormatString.newBuilder();
    if (f.json() != null) {
      var s = Struct.newBuilder();
      f.json().forEach((k, v) -> s.putFields(k, Value.newBuilder().setStringValue(v).build()));
      format.setJsonFormat(s);
    } else {
      format.setTextFormatSource(DataSource.newBuilder().setInlineString(f.text()));
    }
    var log = AccessLog.newBuilder().setName(FILE_LOG).setTypedConfig(Any.pack(
        io.envoyproxy.envoy.extensions.access_loggers.file.v3.FileAccessLog.newBuilder().setPath(f.path()).setLogFormat(format).build()));
    if (filter != null && !filter.isBlank()) {
      log.setFilter(AccessLogFilter.newBuilder().setExtensionFilter(io.envoyproxy.envoy.config.accesslog.v3.ExtensionFilter.newBuilder().setName(CEL)
          .setTypedConfig(Any.pack(ExpressionFilter.newBuilder().setExpression(filter).build()))));
    }
    return log.build();
  }

  private static Listener decorate(Listener l, Additions add) {
    var b = l.toBuilder();
    for (var chain : b.getFilterChainsBuilderList()) {
      for (var fb : chain.getFiltersBuilderList()) {
        fb.setTypedConfig(decorate(fb.build(), add));
      }
    }
    return b.build();
  }

  private static Any decorate(Filter f, Additions add) {
    var any = f.getTypedConfig();
    try {
      if (any.is(HttpConnectionManager.class)) {
        var hcm = any.unpack(HttpConnectionManager.class).toBuilder();
        if (add.tracing() != null) {
          hcm.setTracing(add.tracing());
        }
        hcm.addAllAccessLog(add.logs());
        return Any.pack(hcm.build());
      }
      if (any.is(TcpProxy.class) && !add.logs().isEmpty()) {
        return Any.pack(any.unpack(TcpProxy.class).toBuilder().addAllAccessLog(add.logs()).build());
      }
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("generated filter cannot be decoded", e);
    }
    return any;
  }

  private static String nullToEmpty(String s) {
    return s == null ? "" : s;
  }
}
