package io.meshwork.control.observability;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The mesh-wide part of telemetry, like Istio's meshConfig: extension providers by name, the
 * default tracing and access log providers (used when no Telemetry resource names one), and the
 * default sampling percentage (Istio's 1%). The built-in provider {@code envoy} writes access logs
 * with Istio's default text format (or its JSON format when the encoding is JSON) to
 * {@code accessLogFile} (standard output by default); {@code envoy-json} writes Istio's JSON format
 * there whatever the encoding, so a Telemetry resource can choose JSON for some workloads only.
 *
 * <p>{@code meshwork control --tracing-zipkin HOST:PORT} defines provider {@code zipkin},
 * {@code --tracing-otlp URL} defines {@code otel}; the first of these becomes the default tracing
 * provider. {@code --access-log-file PATH} turns access logs on for every proxy (Istio's
 * {@code meshConfig.accessLogFile}); {@code --access-log-encoding JSON} switches {@code envoy} to JSON.
 */
public record MeshTelemetry(Map<String, Provider> providers, List<String> defaultTracing, List<String> defaultAccessLogging,
    double defaultSamplingPercent) {

  /** An extension provider. */
  public sealed interface Provider {}

  /** {@code zipkin}: Zipkin v2 JSON to {@code http://host:port/api/v2/spans}. */
  public record Zipkin(String host, int port, String path) implements Provider {}

  /** {@code opentelemetry}: OTLP/HTTP protobuf to {@code http://host:port/path} ({@code /v1/traces}). */
  public record OpenTelemetry(String host, int port, String path) implements Provider {}

  /** {@code envoyFileAccessLog}: a file (or {@code /dev/stdout}); {@code json} labels, else the text format. */
  public record FileAccessLog(String path, String text, Map<String, String> json) implements Provider {}

  /** Istio's default text access log format (meshConfig.accessLogFormat unset). */
  public static final String ISTIO_TEXT_FORMAT = "[%START_TIME%] \"%REQ(:METHOD)% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% %PROTOCOL%\" "
      + "%RESPONSE_CODE% %RESPONSE_FLAGS% %RESPONSE_CODE_DETAILS% %CONNECTION_TERMINATION_DETAILS% "
      + "\"%UPSTREAM_TRANSPORT_FAILURE_REASON%\" %BYTES_RECEIVED% %BYTES_SENT% %DURATION% "
      + "%RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)% \"%REQ(X-FORWARDED-FOR)%\" \"%REQ(USER-AGENT)%\" \"%REQ(X-REQUEST-ID)%\" "
      + "\"%REQ(:AUTHORITY)%\" \"%UPSTREAM_HOST%\" %UPSTREAM_CLUSTER% %UPSTREAM_LOCAL_ADDRESS% %DOWNSTREAM_LOCAL_ADDRESS% "
      + "%DOWNSTREAM_REMOTE_ADDRESS% %REQUESTED_SERVER_NAME% %ROUTE_NAME%\n";

  /** Istio's default JSON access log labels (meshConfig.accessLogEncoding: JSON). */
  public static final Map<String, String> ISTIO_JSON_FORMAT = istioJson();

  /** No providers but the built-in {@code envoy}; nothing on by default. */
  public static final MeshTelemetry NONE = builder().build();

  public MeshTelemetry {
    providers = Map.copyOf(providers);
    defaultTracing = List.copyOf(defaultTracing);
    defaultAccessLogging = List.copyOf(defaultAccessLogging);
  }

  /** True when nothing can produce tracing or access logs unless a Telemetry resource asks for it. */
  public boolean quietByDefault() {
    return defaultTracing.isEmpty() && defaultAccessLogging.isEmpty();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Builds a MeshTelemetry from the control plane's command line. */
  public static final class Builder {
    private final Map<String, Provider> providers = new LinkedHashMap<>();
    private final java.util.ArrayList<String> tracing = new java.util.ArrayList<>();
    private final java.util.ArrayList<String> logging = new java.util.ArrayList<>();
    private double sampling = 1.0;
    private String accessLogFile = "/dev/stdout";
    private boolean json;

    /** {@code HOST:PORT} of a Zipkin collector; the provider is named {@code zipkin}. */
    public Builder zipkin(String hostPort) {
      int colon = hostPort.lastIndexOf(':');
      if (colon <= 0 || colon == hostPort.length() - 1) {
        throw new IllegalArgumentException("--tracing-zipkin needs HOST:PORT (for example zipkin.istio-system:9411), got \"" + hostPort + "\"");
      }
      providers.put("zipkin", new Zipkin(hostPort.substring(0, colon), port(hostPort.substring(colon + 1), "--tracing-zipkin"),
          "/api/v2/spans"));
      tracing.add("zipkin");
      return this;
    }

    /** The OTLP/HTTP traces URL of a collector; the provider is named {@code otel}. */
    public Builder otlp(String url) {
      URI u;
      try {
        u = URI.create(url);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("--tracing-otlp needs a URL such as http://otel-collector:4318/v1/traces, got \"" + url + "\"");
      }
      if (!"http".equals(u.getScheme()) || u.getHost() == null) {
        throw new IllegalArgumentException("--tracing-otlp needs an http:// URL such as http://otel-collector:4318/v1/traces, got \"" + url + "\"");
      }
      var path = u.getRawPath() == null || u.getRawPath().isEmpty() || u.getRawPath().equals("/") ? "/v1/traces" : u.getRawPath();
      providers.put("otel", new OpenTelemetry(u.getHost(), u.getPort() < 0 ? 4318 : u.getPort(), path));
      tracing.add("otel");
      return this;
    }

    /** The mesh default random sampling percentage (Istio: 1). */
    public Builder sampling(double percent) {
      if (percent < 0 || percent > 100 || Double.isNaN(percent)) {
        throw new IllegalArgumentException("--tracing-sampling must be between 0 and 100, got " + percent);
      }
      sampling = percent;
      return this;
    }

    /** Turns access logs on for every proxy, written to {@code path} ({@code /dev/stdout} for the terminal). */
    public Builder accessLogFile(String path) {
      accessLogFile = path;
      if (!logging.contains("envoy")) {
        logging.add("envoy");
      }
      return this;
    }

    /** TEXT (default) or JSON for the built-in {@code envoy} provider. */
    public Builder accessLogEncoding(String encoding) {
      switch (encoding.toUpperCase(java.util.Locale.ROOT)) {
        case "TEXT" -> json = false;
        case "JSON" -> json = true;
        default -> throw new IllegalArgumentException("--access-log-encoding must be TEXT or JSON, got \"" + encoding + "\"");
      }
      return this;
    }

    public MeshTelemetry build() {
      var all = new LinkedHashMap<>(providers);
      all.put("envoy", json ? new FileAccessLog(accessLogFile, null, ISTIO_JSON_FORMAT)
          : new FileAccessLog(accessLogFile, ISTIO_TEXT_FORMAT, null));
      all.put("envoy-json", new FileAccessLog(accessLogFile, null, ISTIO_JSON_FORMAT));
      return new MeshTelemetry(all, tracing.isEmpty() ? List.of() : List.of(tracing.getFirst()), logging, sampling);
    }

    private static int port(String s, String flag) {
      try {
        int p = Integer.parseInt(s);
        if (p > 0 && p < 65536) {
          return p;
        }
      } catch (NumberFormatException ignored) {
        // reported below
      }
      throw new IllegalArgumentException(flag + ": \"" + s + "\" is not a port number");
    }
  }

  private static Map<String, String> istioJson() {
    var m = new LinkedHashMap<String, String>();
    m.put("start_time", "%START_TIME%");
    m.put("route_name", "%ROUTE_NAME%");
    m.put("method", "%REQ(:METHOD)%");
    m.put("path", "%REQ(X-ENVOY-ORIGINAL-PATH?:PATH)%");
    m.put("protocol", "%PROTOCOL%");
    m.put("response_code", "%RESPONSE_CODE%");
    m.put("response_flags", "%RESPONSE_FLAGS%");
    m.put("response_code_details", "%RESPONSE_CODE_DETAILS%");
    m.put("connection_termination_details", "%CONNECTION_TERMINATION_DETAILS%");
    m.put("upstream_transport_failure_reason", "%UPSTREAM_TRANSPORT_FAILURE_REASON%");
    m.put("bytes_received", "%BYTES_RECEIVED%");
    m.put("bytes_sent", "%BYTES_SENT%");
    m.put("duration", "%DURATION%");
    m.put("upstream_service_time", "%RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)%");
    m.put("x_forwarded_for", "%REQ(X-FORWARDED-FOR)%");
    m.put("user_agent", "%REQ(USER-AGENT)%");
    m.put("request_id", "%REQ(X-REQUEST-ID)%");
    m.put("authority", "%REQ(:AUTHORITY)%");
    m.put("upstream_host", "%UPSTREAM_HOST%");
    m.put("upstream_cluster", "%UPSTREAM_CLUSTER%");
    m.put("upstream_local_address", "%UPSTREAM_LOCAL_ADDRESS%");
    m.put("downstream_local_address", "%DOWNSTREAM_LOCAL_ADDRESS%");
    m.put("downstream_remote_address", "%DOWNSTREAM_REMOTE_ADDRESS%");
    m.put("requested_server_name", "%REQUESTED_SERVER_NAME%");
    return java.util.Collections.unmodifiableMap(m);
  }
}
