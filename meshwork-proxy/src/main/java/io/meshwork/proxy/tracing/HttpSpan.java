package io.meshwork.proxy.tracing;

import io.meshwork.proxy.config.TracingConfig;
import io.netty.handler.codec.http.HttpHeaders;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The span of one HTTP exchange, confined to its event loop. {@link #start} reads the incoming
 * context and decides sampling; {@link #inject} writes this span as the parent into the upstream
 * request (also when not sampled, so the next hops keep the decision); {@link #finish} builds the
 * span with Envoy's and Istio's tags and queues it, only when sampled. Operation name: the matched
 * route's {@code decorator.operation} when it has one (as in Envoy; Istio's control plane, and ours,
 * set {@code <service host>:<service port>/*} on an inbound route), else like Istio's outbound route
 * decorators {@code <service host>:<port>/*} from an {@code outbound|PORT|SUBSET|HOST} cluster, else
 * the request's authority with the listener's port, then {@code /*}.
 */
public final class HttpSpan {
  private final TracingConfig config;
  private final SpanExporter exporter;
  private final TraceContext context;
  private final String parentSpanId;
  private final boolean singleB3;
  private final long startMicros;
  private final long startNanos;

  private HttpSpan(TracingConfig config, SpanExporter exporter, TraceContext context, String parentSpanId,
      boolean singleB3, long startMicros, long startNanos) {
    this.config = config;
    this.exporter = exporter;
    this.context = context;
    this.parentSpanId = parentSpanId;
    this.singleB3 = singleB3;
    this.startMicros = startMicros;
    this.startNanos = startNanos;
  }

  /** Starts the span of a request; null when the listener does not trace. */
  public static HttpSpan start(Tracer tracer, TracingConfig config, HttpHeaders request, long startMillis, long startNanos) {
    if (config == null) {
      return null;
    }
    var in = Propagation.extract(request);
    var sampled = Sampler.decide(config, in.sampled(), request.contains("x-client-trace-id"),
        () -> ThreadLocalRandom.current().nextDouble(100));
    var parent = in.context();
    var ctx = new TraceContext(parent != null ? parent.traceId() : Ids.newTraceId(), Ids.newSpanId(), sampled,
        parent != null ? parent.traceState() : null);
    return new HttpSpan(config, tracer.exporter(config), ctx, parent != null ? parent.spanId() : null,
        in.format() == Propagation.Format.B3_SINGLE, startMillis * 1000, startNanos);
  }

  public TraceContext context() {
    return context;
  }

  public String parentSpanId() {
    return parentSpanId;
  }

  public boolean sampled() {
    return context.sampled().isSampled();
  }

  /** Makes this span the parent of the upstream request. */
  public void inject(HttpHeaders upstream) {
    Propagation.inject(upstream, context, parentSpanId, singleB3);
  }

  /**
   * What the exchange knows when it ends; {@code operation} is the matched route's decorator
   * operation (null: none), which names the span when present.
   */
  public record Outcome(String nodeId, String requestId, String method, String scheme, String authority, String path,
      String protocol, String userAgent, int status, String responseFlags, boolean failed, long requestBytes,
      long responseBytes, String cluster, String upstreamHost, SocketAddress downstreamRemote, SocketAddress local,
      String operation) {
    public Outcome(String nodeId, String requestId, String method, String scheme, String authority, String path,
        String protocol, String userAgent, int status, String responseFlags, boolean failed, long requestBytes,
        long responseBytes, String cluster, String upstreamHost, SocketAddress downstreamRemote, SocketAddress local) {
      this(nodeId, requestId, method, scheme, authority, path, protocol, userAgent, status, responseFlags, failed,
          requestBytes, responseBytes, cluster, upstreamHost, downstreamRemote, local, null);
    }
  }

  /**
   * Ends the span: queued for export when sampled, otherwise dropped here at no cost. On the event
   * loop this only takes the clock, reads the configured request-header tags (the request is
   * released after the exchange) and queues one immutable record; tags and strings are built by
   * {@link Ended#toSpanData()} on the exporter thread.
   */
  public void finish(Outcome o, HttpHeaders request) {
    if (!sampled()) {
      return;
    }
    long duration = (System.nanoTime() - startNanos) / 1000;
    String[] headerTags = null;
    var custom = config.customTags();
    for (int i = 0; i < custom.size(); i++) {
      var t = custom.get(i);
      if (t.kind() == TracingConfig.CustomTag.Kind.REQUEST_HEADER) {
        if (headerTags == null) {
          headerTags = new String[custom.size()];
        }
        headerTags[i] = request.get(t.name());
      }
    }
    exporter.offer(ended(o, duration, headerTags));
  }

  /** The record {@link #finish} queues (tests encode it directly). */
  QueuedSpan ended(Outcome o, long durationMicros, String[] headerTags) {
    return new Ended(this, o, durationMicros, headerTags);
  }

  /**
   * A finished span as the event loop leaves it: the span, the exchange's outcome and the values of
   * request-header custom tags (indexed like {@code customTags}; null when there are none).
   */
  private record Ended(HttpSpan span, Outcome o, long durationMicros, String[] headerTags) implements QueuedSpan {
    @Override
    public String serviceName() {
      return span.config.effectiveServiceName();
    }

    /**
     * Writes the span with Envoy's and Istio's tags straight into the encoder: the URL, the
     * operation and the address tags are written in pieces, so no string is built for them. A
     * custom tag with a value replaces a standard tag of the same name (as a map would); a failed
     * request's {@code error=true} replaces a custom tag named {@code error}.
     */
    @Override
    public void writeTo(SpanWriter w) {
      var config = span.config;
      var context = span.context;
      boolean error = o.failed() || o.status() >= 500 || o.status() == 0;
      w.begin(context.traceId(), context.spanId(), span.parentSpanId, config.client(), span.startMicros, durationMicros,
          context.sampled() == TraceContext.Sampled.DEBUG);
      w.beginName();
      writeOperation(o, w);
      w.endValue();
      String remoteIp = null;
      int remoteFrom = 0;
      int remoteTo = 0;
      int remotePort = 0;
      if (config.client()) {
        var host = o.upstreamHost();
        if (host != null) {
          int colon = host.lastIndexOf(':');
          remoteIp = host;
          remoteTo = colon > 0 ? colon : host.length();
          remotePort = colon > 0 ? parsePort(host, colon + 1) : 0;
        }
      } else if (o.downstreamRemote() instanceof InetSocketAddress a && a.getAddress() != null) {
        remoteIp = AddressText.of(a.getAddress());
        remoteTo = remoteIp.length();
        remotePort = a.getPort();
      }
      String localIp = o.local() instanceof InetSocketAddress a && a.getAddress() != null ? AddressText.of(a.getAddress()) : null;
      w.endpoints(config.effectiveServiceName(), localIp, remoteIp, remoteFrom, remoteTo, remotePort);
      var custom = config.customTags();
      String[] customValues = customValues(custom);
      // Checked once per span, not once per standard tag: does a custom tag replace a standard one?
      String[] replacing = replacesStandardTag(custom, customValues) ? customValues : null;
      tag(w, custom, replacing, "component", "proxy");
      tag(w, custom, replacing, "node_id", o.nodeId() == null ? "" : o.nodeId());
      tag(w, custom, replacing, "guid:x-request-id", o.requestId());
      if (o.method() != null) {
        tag(w, custom, replacing, "http.method", o.method());
      }
      if (o.path() != null && !overridden(custom, replacing, "http.url")) {
        w.beginTag("http.url");
        int budget = config.maxPathTagLength();
        budget = limited(w, o.scheme() == null ? "null" : o.scheme(), budget);
        budget = limited(w, "://", budget);
        budget = limited(w, o.authority() == null ? "" : o.authority(), budget);
        limited(w, o.path(), budget);
        w.endValue();
      }
      tag(w, custom, replacing, "http.protocol", o.protocol());
      tag(w, custom, replacing, "downstream_cluster", "-");
      if (o.userAgent() != null) {
        tag(w, custom, replacing, "user_agent", o.userAgent());
      }
      if (!overridden(custom, replacing, "peer.address")) {
        w.beginTag("peer.address");
        if (o.downstreamRemote() instanceof InetSocketAddress a && a.getAddress() != null) {
          w.text(AddressText.of(a.getAddress()));
          w.text(":");
          w.number(a.getPort());
        } else if (o.downstreamRemote() != null) {
          w.text(o.downstreamRemote().toString());
        }
        w.endValue();
      }
      numberTag(w, custom, replacing, "request_size", o.requestBytes());
      numberTag(w, custom, replacing, "response_size", o.responseBytes());
      tag(w, custom, replacing, "response_flags", o.responseFlags());
      numberTag(w, custom, replacing, "http.status_code", o.status());
      if (o.cluster() != null) {
        tag(w, custom, replacing, "upstream_cluster", o.cluster());
        tag(w, custom, replacing, "upstream_cluster.name", o.cluster());
      }
      if (o.upstreamHost() != null) {
        tag(w, custom, replacing, "upstream_address", o.upstreamHost());
      }
      if (customValues != null) {
        for (int i = 0; i < custom.size(); i++) {
          var v = customValues[i];
          var key = custom.get(i).tag();
          if (v != null && !(error && key.equals("error")) && !shadowed(custom, customValues, i)) {
            w.tag(key, v);
          }
        }
      }
      if (error) {
        w.tag("error", "true");
      }
      w.end(error);
    }

    /** The custom tags' values (null entries: no value, the tag is left out); null when there are none. */
    private String[] customValues(java.util.List<TracingConfig.CustomTag> custom) {
      if (custom.isEmpty()) {
        return null;
      }
      var values = new String[custom.size()];
      for (int i = 0; i < custom.size(); i++) {
        var t = custom.get(i);
        var v = switch (t.kind()) {
          case LITERAL -> t.name();
          case REQUEST_HEADER -> headerTags == null ? null : headerTags[i];
          case ENVIRONMENT -> System.getenv(t.name());
        };
        if (v == null || v.isEmpty()) {
          v = t.defaultValue();
        }
        values[i] = v == null || v.isEmpty() ? null : v;
      }
      return values;
    }

    /** The standard tags' keys, which a custom tag of the same name replaces. */
    private static final java.util.Set<String> STANDARD_TAGS = java.util.Set.of("component", "node_id", "guid:x-request-id",
        "http.method", "http.url", "http.protocol", "downstream_cluster", "user_agent", "peer.address", "request_size",
        "response_size", "response_flags", "http.status_code", "upstream_cluster", "upstream_cluster.name", "upstream_address");

    /** Whether a custom tag with a value has a standard tag's key (rare: then each standard tag is checked). */
    private static boolean replacesStandardTag(java.util.List<TracingConfig.CustomTag> custom, String[] values) {
      if (values != null) {
        for (int i = 0; i < values.length; i++) {
          if (values[i] != null && STANDARD_TAGS.contains(custom.get(i).tag())) {
            return true;
          }
        }
      }
      return false;
    }

    /** True when a later custom tag of the same name has a value (the last one wins, as in a map). */
    private static boolean shadowed(java.util.List<TracingConfig.CustomTag> custom, String[] values, int i) {
      for (int j = i + 1; j < custom.size(); j++) {
        if (values[j] != null && custom.get(j).tag().equals(custom.get(i).tag())) {
          return true;
        }
      }
      return false;
    }

    private static boolean overridden(java.util.List<TracingConfig.CustomTag> custom, String[] values, String key) {
      if (values != null) {
        for (int i = 0; i < values.length; i++) {
          if (values[i] != null && custom.get(i).tag().equals(key)) {
            return true;
          }
        }
      }
      return false;
    }

    private static void tag(SpanWriter w, java.util.List<TracingConfig.CustomTag> custom, String[] values, String key,
        String value) {
      if (value != null && !overridden(custom, values, key)) { // no value, no tag (a null once failed the whole batch)
        w.tag(key, value);
      }
    }

    private static void numberTag(SpanWriter w, java.util.List<TracingConfig.CustomTag> custom, String[] values, String key,
        long value) {
      if (!overridden(custom, values, key)) {
        w.beginTag(key);
        w.number(value);
        w.endValue();
      }
    }

    /** Writes at most {@code budget} chars of {@code s}; returns what is left of the budget. */
    private static int limited(SpanWriter w, String s, int budget) {
      int n = Math.min(s.length(), Math.max(0, budget));
      if (n > 0) {
        w.text(s, 0, n);
      }
      return budget - n;
    }
  }

  /** {@link #operation}, written into {@code w} from the parts of the cluster name or authority. */
  static void writeOperation(Outcome o, SpanWriter w) {
    if (o.operation() != null) {
      w.text(o.operation());
      return;
    }
    var c = o.cluster();
    if (c != null && isOutbound(c)) {
      int p1 = 8;
      int p2 = c.indexOf('|', p1 + 1);
      int p3 = p2 < 0 ? -1 : c.indexOf('|', p2 + 1);
      if (p3 > 0 && c.indexOf('|', p3 + 1) < 0 && p3 + 1 < c.length()) {
        w.text(c, p3 + 1, c.length());
        w.text(":");
        w.text(c, p1 + 1, p2);
        w.text("/*");
        return;
      }
    }
    var authority = o.authority() == null ? "" : o.authority();
    w.text(authority);
    boolean hasPort = authority.lastIndexOf(':') > authority.lastIndexOf(']');
    if (!hasPort && o.local() instanceof InetSocketAddress a) {
      w.text(":");
      w.number(a.getPort());
    }
    w.text("/*");
  }

  /**
   * {@code c.startsWith("outbound|")}, by hand: for a short prefix the library's vectorised
   * comparison showed up at 7% of the exporter's time.
   */
  private static boolean isOutbound(String c) {
    var prefix = "outbound|";
    if (c.length() < prefix.length()) {
      return false;
    }
    for (int i = prefix.length() - 1; i >= 0; i--) {
      if (c.charAt(i) != prefix.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  static String operation(Outcome o) {
    if (o.operation() != null) {
      return o.operation();
    }
    var c = o.cluster();
    if (c != null && isOutbound(c)) {
      var parts = c.split("\\|", -1);
      if (parts.length == 4 && !parts[3].isEmpty()) {
        return parts[3] + ":" + parts[1] + "/*";
      }
    }
    var authority = o.authority() == null ? "" : o.authority();
    boolean hasPort = authority.lastIndexOf(':') > authority.lastIndexOf(']');
    if (!hasPort && o.local() instanceof InetSocketAddress a) {
      authority = authority + ":" + a.getPort();
    }
    return authority + "/*";
  }

  /** The decimal port in {@code s} from {@code from} to the end; 0 when it is not one. */
  private static int parsePort(String s, int from) {
    int v = 0;
    if (from >= s.length() || s.length() - from > 5) {
      return 0;
    }
    for (int i = from; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return 0;
      }
      v = v * 10 + (c - '0');
    }
    return v <= 65535 ? v : 0;
  }
}
