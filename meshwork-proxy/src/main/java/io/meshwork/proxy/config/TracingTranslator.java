package io.meshwork.proxy.config;

import com.google.protobuf.InvalidProtocolBufferException;
import io.envoyproxy.envoy.config.core.v3.TrafficDirection;
import io.envoyproxy.envoy.config.trace.v3.OpenTelemetryConfig;
import io.envoyproxy.envoy.config.trace.v3.ZipkinConfig;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import java.net.URI;
import java.util.ArrayList;
import java.util.Set;

/**
 * Translates the HTTP connection manager's {@code tracing} block into a {@link TracingConfig}.
 * Supported providers: {@code envoy.tracers.zipkin} (HTTP_JSON, the v2 API) and
 * {@code envoy.tracers.opentelemetry} with an {@code http_service} (OTLP/HTTP protobuf). Everything
 * else is rejected with its path, so a configuration never traces differently than it says.
 */
public final class TracingTranslator {
  private TracingTranslator() {}

  /** The tracing config of {@code hcm}, or null when it has no {@code tracing} block. */
  public static TracingConfig tracing(HttpConnectionManager hcm, String path, Set<String> clusters,
      TrafficDirection direction) throws ConfigException {
    if (!hcm.hasTracing()) {
      return null;
    }
    var t = hcm.getTracing();
    var tPath = path + ".tracing";
    if (!t.hasProvider()) {
      throw new ConfigException(tPath + ".provider", "a tracing provider is required (envoy.tracers.zipkin or envoy.tracers.opentelemetry)");
    }
    var any = t.getProvider().getTypedConfig();
    var pPath = tPath + ".provider.typed_config";
    TracingConfig.Provider provider;
    String cluster;
    String endpoint;
    String host;
    String service = "";
    try {
      if (any.is(ZipkinConfig.class)) {
        var z = any.unpack(ZipkinConfig.class);
        provider = TracingConfig.Provider.ZIPKIN;
        if (z.getCollectorEndpointVersion() != ZipkinConfig.CollectorEndpointVersion.HTTP_JSON
            && z.getCollectorEndpointVersionValue() != 0) {
          throw new ConfigException(pPath + ".collector_endpoint_version", z.getCollectorEndpointVersion()
              + " is not supported; use HTTP_JSON (Zipkin v2 JSON)");
        }
        cluster = z.getCollectorCluster();
        endpoint = z.getCollectorEndpoint().isEmpty() ? "/api/v2/spans" : z.getCollectorEndpoint();
        host = z.getCollectorHostname().isEmpty() ? cluster : z.getCollectorHostname();
        if (cluster.isEmpty()) {
          throw new ConfigException(pPath + ".collector_cluster", "the Zipkin collector cluster is required");
        }
        if (!clusters.contains(cluster)) {
          throw new ConfigException(pPath + ".collector_cluster", "unknown cluster \"" + cluster + "\"; add it to the clusters");
        }
      } else if (any.is(OpenTelemetryConfig.class)) {
        var o = any.unpack(OpenTelemetryConfig.class);
        provider = TracingConfig.Provider.OPENTELEMETRY;
        if (!o.hasHttpService()) {
          throw new ConfigException(pPath + (o.hasGrpcService() ? ".grpc_service" : ".http_service"),
              "OTLP over gRPC is not supported yet; use http_service (OTLP/HTTP protobuf, path /v1/traces)");
        }
        var uri = o.getHttpService().getHttpUri();
        cluster = uri.getCluster();
        if (!clusters.contains(cluster)) {
          throw new ConfigException(pPath + ".http_service.http_uri.cluster", "unknown cluster \"" + cluster + "\"; add it to the clusters");
        }
        URI parsed;
        try {
          parsed = URI.create(uri.getUri().contains("://") ? uri.getUri() : "http://" + uri.getUri());
        } catch (IllegalArgumentException e) {
          throw new ConfigException(pPath + ".http_service.http_uri.uri", "is not a URI (" + e.getMessage() + ")");
        }
        endpoint = parsed.getRawPath() == null || parsed.getRawPath().isEmpty() ? "/v1/traces" : parsed.getRawPath();
        host = parsed.getAuthority() == null ? cluster : parsed.getAuthority();
        service = o.getServiceName();
      } else {
        throw new ConfigException(pPath + ".@type", "tracer " + any.getTypeUrl()
            + " is not supported yet (supported: envoy.tracers.zipkin, envoy.tracers.opentelemetry)");
      }
    } catch (InvalidProtocolBufferException e) {
      throw new ConfigException(pPath, "cannot be decoded (" + e.getMessage() + ")");
    }
    var tags = new ArrayList<TracingConfig.CustomTag>();
    for (int i = 0; i < t.getCustomTagsCount(); i++) {
      var c = t.getCustomTags(i);
      var cPath = tPath + ".custom_tags[" + i + "]";
      if (c.getTag().isEmpty()) {
        throw new ConfigException(cPath + ".tag", "a custom tag needs a name");
      }
      if (c.hasLiteral()) {
        tags.add(new TracingConfig.CustomTag(c.getTag(), TracingConfig.CustomTag.Kind.LITERAL, c.getLiteral().getValue(), ""));
      } else if (c.hasRequestHeader()) {
        tags.add(new TracingConfig.CustomTag(c.getTag(), TracingConfig.CustomTag.Kind.REQUEST_HEADER,
            c.getRequestHeader().getName(), c.getRequestHeader().getDefaultValue()));
      } else if (c.hasEnvironment()) {
        tags.add(new TracingConfig.CustomTag(c.getTag(), TracingConfig.CustomTag.Kind.ENVIRONMENT,
            c.getEnvironment().getName(), c.getEnvironment().getDefaultValue()));
      } else {
        throw new ConfigException(cPath, "only literal, request_header and environment custom tags are supported");
      }
    }
    return new TracingConfig(provider, cluster, endpoint, host, service,
        percent(t.hasClientSampling(), t.getClientSampling().getValue(), tPath + ".client_sampling"),
        percent(t.hasRandomSampling(), t.getRandomSampling().getValue(), tPath + ".random_sampling"),
        percent(t.hasOverallSampling(), t.getOverallSampling().getValue(), tPath + ".overall_sampling"),
        tags, direction == TrafficDirection.OUTBOUND,
        t.hasMaxPathTagLength() ? t.getMaxPathTagLength().getValue() : 256);
  }

  /** Envoy's sampling fields are {@code type.v3.Percent} (0..100), 100 when absent. */
  private static double percent(boolean present, double value, String path) throws ConfigException {
    if (!present) {
      return 100;
    }
    if (value < 0 || value > 100 || Double.isNaN(value)) {
      throw new ConfigException(path + ".value", "must be between 0 and 100 (got " + value + ")");
    }
    return value;
  }
}
