package io.meshwork.control.observability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.envoyproxy.envoy.config.accesslog.v3.AccessLog;
import io.envoyproxy.envoy.config.core.v3.TrafficDirection;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.trace.v3.OpenTelemetryConfig;
import io.envoyproxy.envoy.config.trace.v3.ZipkinConfig;
import io.envoyproxy.envoy.extensions.access_loggers.file.v3.FileAccessLog;
import io.envoyproxy.envoy.extensions.access_loggers.filters.cel.v3.ExpressionFilter;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import io.meshwork.control.Fixtures;
import io.meshwork.control.Mesh;
import io.meshwork.control.store.ConfigStore;
import io.meshwork.control.translate.MeshContext;
import io.meshwork.control.translate.ProxyResources;
import io.meshwork.control.translate.Translator;
import io.meshwork.xds.client.NodeInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Telemetry API tracing and accessLogging, plus the mesh defaults, turned into HCM {@code tracing}
 * and {@code access_log} on the generated listeners, with Istio's scope precedence.
 */
class TelemetryTranslationTest {
  static final NodeInfo PRODUCTPAGE = NodeInfo.sidecar("productpage-v1", "default", Map.of("app", "productpage", "version", "v1"),
      "10.0.0.9", Map.of("http", 9080)).withUpstreamBinds(Map.of("reviews:9080", "127.0.0.1:16001"));
  static final NodeInfo REVIEWS = NodeInfo.sidecar("reviews-v2", "default", Map.of("app", "reviews", "version", "v2"),
      "10.0.0.2", Map.of("http", 9080));

  static MeshContext mesh(String telemetryYaml) throws Exception {
    var store = new ConfigStore();
    var r = store.apply(ConfigStore.API, Fixtures.bookinfo("platform/bookinfo.yaml"));
    assertThat(r.errors()).isEmpty();
    store.apply(ConfigStore.API, Fixtures.yaml(Mesh.workload("reviews-v2", "v2", "10.0.0.2")));
    if (telemetryYaml != null) {
      var t = store.apply(ConfigStore.API, Fixtures.yaml(telemetryYaml));
      assertThat(t.errors()).isEmpty();
    }
    return MeshContext.of(store.snapshot(), true);
  }

  static List<HttpConnectionManager> hcms(Listener l) throws Exception {
    var out = new ArrayList<HttpConnectionManager>();
    for (var c : l.getFilterChainsList()) {
      for (var f : c.getFiltersList()) {
        if (f.getTypedConfig().is(HttpConnectionManager.class)) {
          out.add(f.getTypedConfig().unpack(HttpConnectionManager.class));
        }
      }
    }
    return out;
  }

  static HttpConnectionManager outboundHcm(ProxyResources r) throws Exception {
    return hcms(r.listeners().get("127.0.0.1_16001")).getFirst();
  }

  static HttpConnectionManager inboundHcm(ProxyResources r) throws Exception {
    var l = r.listeners().get("virtualInbound");
    assertThat(l.getTrafficDirection()).isEqualTo(TrafficDirection.INBOUND);
    return hcms(l).getFirst();
  }

  static Map<String, String> literalTags(HttpConnectionManager h) {
    var m = new java.util.TreeMap<String, String>();
    h.getTracing().getCustomTagsList().stream().filter(t -> t.hasLiteral()).forEach(t -> m.put(t.getTag(), t.getLiteral().getValue()));
    return m;
  }

  @Test
  void nothingConfiguredLeavesTheTranslationUntouched() throws Exception {
    var ctx = mesh(null);
    var plain = Translator.translate(ctx, PRODUCTPAGE);
    assertThat(TelemetryDecorator.apply(plain, ctx, PRODUCTPAGE, MeshTelemetry.NONE)).isSameAs(plain);
  }

  @Test
  void meshDefaultZipkinTracesEveryListenerAtOnePercentWithIstioTags() throws Exception {
    var ctx = mesh(null);
    var mt = MeshTelemetry.builder().zipkin("127.0.0.1:9411").build();
    var r = TelemetryDecorator.apply(Translator.translate(ctx, PRODUCTPAGE), ctx, PRODUCTPAGE, mt);
    var h = outboundHcm(r);
    assertThat(h.hasTracing()).isTrue();
    assertThat(h.getTracing().getRandomSampling().getValue()).isEqualTo(1.0);
    assertThat(h.getTracing().getProvider().getName()).isEqualTo("envoy.tracers.zipkin");
    var z = h.getTracing().getProvider().getTypedConfig().unpack(ZipkinConfig.class);
    assertThat(z.getCollectorCluster()).isEqualTo("outbound|9411||127.0.0.1");
    assertThat(z.getCollectorEndpoint()).isEqualTo("/api/v2/spans");
    assertThat(z.getCollectorEndpointVersion()).isEqualTo(ZipkinConfig.CollectorEndpointVersion.HTTP_JSON);
    assertThat(r.clusters().get("outbound|9411||127.0.0.1").getLoadAssignment().getEndpoints(0).getLbEndpoints(0).getEndpoint()
        .getAddress().getSocketAddress().getPortValue()).isEqualTo(9411);
    assertThat(literalTags(h)).containsEntry("istio.canonical_service", "productpage").containsEntry("istio.canonical_revision", "v1")
        .containsEntry("istio.namespace", "default").containsEntry("istio.mesh_id", "cluster.local");
    assertThat(inboundHcm(r).hasTracing()).isTrue();
    assertThat(h.getAccessLogCount()).isZero();
  }

  @Test
  void narrowerTelemetryOverridesWiderAndModeSelectsTheDirection() throws Exception {
    var ctx = mesh("""
        apiVersion: telemetry.istio.io/v1
        kind: Telemetry
        metadata: {name: mesh-default, namespace: istio-system}
        spec:
          tracing:
          - randomSamplingPercentage: 10
        ---
        apiVersion: telemetry.istio.io/v1
        kind: Telemetry
        metadata: {name: ns, namespace: default}
        spec:
          tracing:
          - randomSamplingPercentage: 50
            customTags:
              team: {literal: {value: books}}
        ---
        apiVersion: telemetry.istio.io/v1
        kind: Telemetry
        metadata: {name: productpage, namespace: default}
        spec:
          selector: {matchLabels: {app: productpage}}
          tracing:
          - providers: [{name: otel}]
            randomSamplingPercentage: 100
            customTags:
              user: {header: {name: x-user, defaultValue: anonymous}}
          - match: {mode: SERVER}
            disableSpanReporting: true
        """);
    var mt = MeshTelemetry.builder().zipkin("zipkin.istio-system:9411").otlp("http://10.0.0.60:4318/v1/traces").build();
    var pp = TelemetryDecorator.apply(Translator.translate(ctx, PRODUCTPAGE), ctx, PRODUCTPAGE, mt);
    var out = outboundHcm(pp).getTracing();
    assertThat(out.getRandomSampling().getValue()).isEqualTo(100.0);
    assertThat(out.getOverallSampling().getValue()).isEqualTo(100.0);
    assertThat(out.getProvider().getName()).isEqualTo("envoy.tracers.opentelemetry");
    var otel = out.getProvider().getTypedConfig().unpack(OpenTelemetryConfig.class);
    assertThat(otel.getHttpService().getHttpUri().getUri()).isEqualTo("http://10.0.0.60:4318/v1/traces");
    assertThat(otel.getServiceName()).isEqualTo("productpage.default");
    assertThat(out.getCustomTagsList()).anySatisfy(t -> {
      assertThat(t.getTag()).isEqualTo("user");
      assertThat(t.getRequestHeader().getName()).isEqualTo("x-user");
    });
    assertThat(literalTags(outboundHcm(pp))).containsEntry("team", "books");
    // The SERVER-only entry turns span reporting off on the inbound side only (context still flows).
    assertThat(inboundHcm(pp).getTracing().getOverallSampling().getValue()).isZero();

    var rv = TelemetryDecorator.apply(Translator.translate(ctx, REVIEWS), ctx, REVIEWS, mt);
    var inbound = inboundHcm(rv).getTracing();
    assertThat(inbound.getRandomSampling().getValue()).isEqualTo(50.0);
    assertThat(inbound.getProvider().getName()).isEqualTo("envoy.tracers.zipkin");
    // A short service name is a DNS cluster unless the mesh has the service.
    var cluster = inbound.getProvider().getTypedConfig().unpack(ZipkinConfig.class).getCollectorCluster();
    assertThat(cluster).isEqualTo("outbound|9411||zipkin.istio-system");
    assertThat(rv.clusters().get(cluster).getType()).isEqualTo(io.envoyproxy.envoy.config.cluster.v3.Cluster.DiscoveryType.STRICT_DNS);
  }

  @Test
  void accessLoggingWithFilterAndPerWorkloadDisable() throws Exception {
    var ctx = mesh("""
        apiVersion: telemetry.istio.io/v1
        kind: Telemetry
        metadata: {name: logs, namespace: default}
        spec:
          accessLogging:
          - providers: [{name: envoy}]
            filter: {expression: "response.code >= 400"}
        ---
        apiVersion: telemetry.istio.io/v1
        kind: Telemetry
        metadata: {name: quiet-reviews, namespace: default}
        spec:
          selector: {matchLabels: {app: reviews}}
          accessLogging:
          - disabled: true
        """);
    var mt = MeshTelemetry.builder().accessLogEncoding("JSON").build();
    var pp = TelemetryDecorator.apply(Translator.translate(ctx, PRODUCTPAGE), ctx, PRODUCTPAGE, mt);
    var h = outboundHcm(pp);
    assertThat(h.hasTracing()).isFalse();
    assertThat(h.getAccessLogCount()).isEqualTo(1);
    AccessLog log = h.getAccessLog(0);
    assertThat(log.getName()).isEqualTo("envoy.access_loggers.file");
    var file = log.getTypedConfig().unpack(FileAccessLog.class);
    assertThat(file.getPath()).isEqualTo("/dev/stdout");
    assertThat(file.getLogFormat().getJsonFormat().getFieldsMap()).containsKeys("response_code", "upstream_cluster", "request_id");
    assertThat(file.getLogFormat().getJsonFormat().getFieldsOrThrow("response_code").getStringValue()).isEqualTo("%RESPONSE_CODE%");
    assertThat(log.getFilter().getExtensionFilter().getName()).isEqualTo("envoy.access_loggers.extension_filters.cel");
    assertThat(log.getFilter().getExtensionFilter().getTypedConfig().unpack(ExpressionFilter.class).getExpression())
        .isEqualTo("response.code >= 400");
    // TCP proxies log too (Istio logs TCP connections with the same provider).
    var tcpLogged = pp.listeners().values().stream().flatMap(l -> l.getFilterChainsList().stream())
        .flatMap(c -> c.getFiltersList().stream()).filter(f -> f.getTypedConfig().is(TcpProxy.class))
        .allMatch(f -> {
          try {
            return f.getTypedConfig().unpack(TcpProxy.class).getAccessLogCount() == 1;
          } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            return false;
          }
        });
    assertThat(tcpLogged).isTrue();

    var rv = TelemetryDecorator.apply(Translator.translate(ctx, REVIEWS), ctx, REVIEWS, mt);
    assertThat(inboundHcm(rv).getAccessLogCount()).isZero();
  }

  @Test
  void aWorkloadCanChooseTheJsonProviderWhileTheMeshLogsText() throws Exception {
    var ctx = mesh("""
        apiVersion: telemetry.istio.io/v1
        kind: Telemetry
        metadata: {name: json-for-reviews, namespace: default}
        spec:
          selector: {matchLabels: {app: reviews}}
          accessLogging:
          - providers: [{name: envoy-json}]
        """);
    var mt = MeshTelemetry.builder().accessLogFile("/dev/stdout").build();
    var rv = TelemetryDecorator.apply(Translator.translate(ctx, REVIEWS), ctx, REVIEWS, mt);
    assertThat(inboundHcm(rv).getAccessLog(0).getTypedConfig().unpack(FileAccessLog.class).getLogFormat().hasJsonFormat()).isTrue();
    var pp = TelemetryDecorator.apply(Translator.translate(ctx, PRODUCTPAGE), ctx, PRODUCTPAGE, mt);
    assertThat(inboundHcm(pp).getAccessLog(0).getTypedConfig().unpack(FileAccessLog.class).getLogFormat().hasTextFormatSource()).isTrue();
  }

  @Test
  void meshAccessLogFileTurnsTextLogsOnEverywhere() throws Exception {
    var ctx = mesh(null);
    var mt = MeshTelemetry.builder().accessLogFile("/var/log/mesh.log").build();
    var r = TelemetryDecorator.apply(Translator.translate(ctx, REVIEWS), ctx, REVIEWS, mt);
    var file = inboundHcm(r).getAccessLog(0).getTypedConfig().unpack(FileAccessLog.class);
    assertThat(file.getPath()).isEqualTo("/var/log/mesh.log");
    assertThat(file.getLogFormat().getTextFormatSource().getInlineString()).startsWith("[%START_TIME%] \"%REQ(:METHOD)%");
    assertThat(inboundHcm(r).getAccessLog(0).hasFilter()).isFalse();
  }

  @Test
  void badFlagsAreOneClearSentence() {
    assertThatThrownBy(() -> MeshTelemetry.builder().zipkin("zipkin")).hasMessageContaining("--tracing-zipkin needs HOST:PORT");
    assertThatThrownBy(() -> MeshTelemetry.builder().otlp("grpc://x:4317")).hasMessageContaining("--tracing-otlp needs an http:// URL");
    assertThatThrownBy(() -> MeshTelemetry.builder().sampling(150)).hasMessageContaining("between 0 and 100");
    assertThatThrownBy(() -> MeshTelemetry.builder().accessLogEncoding("XML")).hasMessageContaining("TEXT or JSON");
  }
}
