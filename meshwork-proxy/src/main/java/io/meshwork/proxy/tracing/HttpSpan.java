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
 * span with Envoy's and Istio's tags and queues it, only when sampled. Operation name, like Istio's
 * route decorators: {@code <service host>:<port>/*} from an {@code outbound|PORT|SUBSET|HOST}
 * cluster, else the request's authority with the listener's port, then {@code /*}.
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

  /** What the exchange knows when it ends. */
  public record Outcome(String nodeId, String requestId, String method, String scheme, String authority, String path,
      String protocol, String userAgent, int status, String responseFlags, boolean failed, long requestBytes,
      long responseBytes, String cluster, String upstreamHost, SocketAddress downstreamRemote, SocketAddress local) {}

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
    exporter.offer(new Ended(this, o, duration, headerTags));
  }

  /**
   * A finished span as the event loop leaves it: the span, the exchange's outcome and the values of
   * request-header custom tags (indexed like {@code customTags}; null when there are none).
   */
  private record Ended(HttpSpan span, Outcome o, long durationMicros, String[] headerTags) implements QueuedSpan {
    @Override
    public SpanData toSpanData() {
      var config = span.config;
      var tags = new SpanTags();
      tags.add("component", "proxy");
      tags.add("node_id", o.nodeId() == null ? "" : o.nodeId());
      tags.add("guid:x-request-id", o.requestId());
      if (o.method() != null) {
        tags.add("http.method", o.method());
      }
      if (o.path() != null) {
        var url = o.scheme() + "://" + (o.authority() == null ? "" : o.authority()) + o.path();
        tags.add("http.url", url.length() > config.maxPathTagLength() ? url.substring(0, config.maxPathTagLength()) : url);
      }
      tags.add("http.protocol", o.protocol());
      tags.add("downstream_cluster", "-");
      if (o.userAgent() != null) {
        tags.add("user_agent", o.userAgent());
      }
      tags.add("peer.address", address(o.downstreamRemote()));
      tags.add("request_size", Long.toString(o.requestBytes()));
      tags.add("response_size", Long.toString(o.responseBytes()));
      tags.add("response_flags", o.responseFlags());
      tags.add("http.status_code", Integer.toString(o.status()));
      if (o.cluster() != null) {
        tags.add("upstream_cluster", o.cluster());
        tags.add("upstream_cluster.name", o.cluster());
      }
      if (o.upstreamHost() != null) {
        tags.add("upstream_address", o.upstreamHost());
      }
      var custom = config.customTags();
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
        if (v != null && !v.isEmpty()) {
          tags.put(t.tag(), v);
        }
      }
      boolean error = o.failed() || o.status() >= 500 || o.status() == 0;
      if (error) {
        tags.put("error", "true"); // replaces a custom tag of that name
      }
      String remoteIp = null;
      int remotePort = 0;
      if (config.client()) {
        if (o.upstreamHost() != null) {
          int colon = o.upstreamHost().lastIndexOf(':');
          remoteIp = colon > 0 ? o.upstreamHost().substring(0, colon) : o.upstreamHost();
          remotePort = colon > 0 ? parsePort(o.upstreamHost().substring(colon + 1)) : 0;
        }
      } else if (o.downstreamRemote() instanceof InetSocketAddress a && a.getAddress() != null) {
        remoteIp = a.getAddress().getHostAddress();
        remotePort = a.getPort();
      }
      String localIp = o.local() instanceof InetSocketAddress a && a.getAddress() != null ? a.getAddress().getHostAddress() : null;
      var context = span.context;
      return new SpanData(context.traceId(), context.spanId(), span.parentSpanId, operation(o), config.client(),
          span.startMicros, durationMicros, config.effectiveServiceName(), localIp, remoteIp, remotePort, tags, error,
          context.sampled() == TraceContext.Sampled.DEBUG);
    }
  }

  static String operation(Outcome o) {
    var c = o.cluster();
    if (c != null && c.startsWith("outbound|")) {
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

  private static String address(SocketAddress a) {
    if (a instanceof InetSocketAddress i && i.getAddress() != null) {
      return i.getAddress().getHostAddress() + ":" + i.getPort();
    }
    return a == null ? "" : a.toString();
  }

  private static int parsePort(String s) {
    try {
      return Integer.parseInt(s);
    } catch (NumberFormatException e) {
      return 0;
    }
  }
}
