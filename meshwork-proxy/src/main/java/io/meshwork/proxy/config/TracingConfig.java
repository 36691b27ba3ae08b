package io.meshwork.proxy.config;

import java.util.List;

/**
 * The HTTP connection manager's {@code tracing} block, resolved once per update: where spans go
 * (the provider and its collector cluster, path and Host), how requests are sampled (percentages
 * 0..100 as in Envoy: {@code client_sampling} for requests with {@code x-client-trace-id},
 * {@code random_sampling} otherwise, {@code overall_sampling} after both), the custom tags Istio
 * adds ({@code istio.canonical_service}, ...), and whether spans of this listener are CLIENT
 * (listener {@code traffic_direction: OUTBOUND}) or SERVER spans.
 *
 * @param serviceName the span's service: OpenTelemetry's {@code service_name}, else the node's
 *     cluster (Envoy's {@code --service-cluster}), else {@code canonical_service.namespace} from the tags
 * @param maxPathTagLength Envoy's {@code max_path_tag_length} (default 256) for {@code http.url}
 */
public record TracingConfig(Provider provider, String collectorCluster, String collectorPath, String collectorHost,
    String serviceName, double clientSampling, double randomSampling, double overallSampling, List<CustomTag> customTags,
    boolean client, int maxPathTagLength) {

  /** The span exporter: {@code envoy.tracers.zipkin} (v2 JSON) or {@code envoy.tracers.opentelemetry} (OTLP/HTTP protobuf). */
  public enum Provider { ZIPKIN, OPENTELEMETRY }

  /**
   * One {@code custom_tags} entry: a literal value, a request header (with a default), or an
   * environment variable (with a default), read when the span is finished.
   */
  public record CustomTag(String tag, Kind kind, String name, String defaultValue) {
    public enum Kind { LITERAL, REQUEST_HEADER, ENVIRONMENT }
  }

  public TracingConfig {
    customTags = List.copyOf(customTags);
  }

  /** The same config for spans of the given kind (set from the listener's traffic direction). */
  public TracingConfig withClient(boolean isClient) {
    return new TracingConfig(provider, collectorCluster, collectorPath, collectorHost, serviceName, clientSampling,
        randomSampling, overallSampling, customTags, isClient, maxPathTagLength);
  }

  /** The same config with the service name filled in when the provider gave none. */
  public TracingConfig withDefaultServiceName(String name) {
    if (serviceName != null && !serviceName.isEmpty() || name == null || name.isEmpty()) {
      return this;
    }
    return new TracingConfig(provider, collectorCluster, collectorPath, collectorHost, name, clientSampling,
        randomSampling, overallSampling, customTags, client, maxPathTagLength);
  }

  /**
   * The service spans are reported under: {@link #serviceName} when known, else Istio's
   * {@code <canonical service>.<namespace>} from the literal custom tags, else "unknown".
   */
  public String effectiveServiceName() {
    if (serviceName != null && !serviceName.isEmpty()) {
      return serviceName;
    }
    var cs = literal("istio.canonical_service");
    var ns = literal("istio.namespace");
    return cs == null || cs.isEmpty() ? "unknown" : ns == null || ns.isEmpty() ? cs : cs + "." + ns;
  }

  /** The literal value of a custom tag, or null. */
  public String literal(String tag) {
    for (var t : customTags) {
      if (t.tag().equals(tag) && t.kind() == CustomTag.Kind.LITERAL) {
        return t.name();
      }
    }
    return null;
  }
}
