package io.meshwork.proxy.tracing;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Encodes spans as a Zipkin v2 JSON array ({@code POST /api/v2/spans}): {@code traceId},
 * {@code id}, {@code parentId}, {@code name}, {@code kind}, {@code timestamp}/{@code duration} in
 * µs, {@code localEndpoint} (service name, listener IP), {@code remoteEndpoint} (peer IP and port),
 * string {@code tags}, and {@code debug} for forced traces.
 */
public final class ZipkinJson {
  private ZipkinJson() {}

  public static byte[] encode(List<SpanData> spans) {
    var sb = new StringBuilder(spans.size() * 600);
    sb.append('[');
    for (int i = 0; i < spans.size(); i++) {
      if (i > 0) {
        sb.append(',');
      }
      span(sb, spans.get(i));
    }
    sb.append(']');
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static void span(StringBuilder sb, SpanData s) {
    sb.append("{\"traceId\":\"").append(s.traceId()).append("\",\"id\":\"").append(s.spanId()).append('"');
    if (s.parentId() != null) {
      sb.append(",\"parentId\":\"").append(s.parentId()).append('"');
    }
    sb.append(",\"kind\":\"").append(s.client() ? "CLIENT" : "SERVER").append("\",\"name\":");
    string(sb, s.name());
    sb.append(",\"timestamp\":").append(s.startMicros()).append(",\"duration\":").append(Math.max(1, s.durationMicros()));
    sb.append(",\"localEndpoint\":{\"serviceName\":");
    string(sb, s.serviceName() == null ? "unknown" : s.serviceName());
    ip(sb, s.localIp());
    sb.append('}');
    if (s.remoteIp() != null) {
      sb.append(",\"remoteEndpoint\":{\"port\":").append(s.remotePort());
      ip(sb, s.remoteIp());
      sb.append('}');
    }
    if (s.debug()) {
      sb.append(",\"debug\":true");
    }
    sb.append(",\"tags\":{");
    boolean first = true;
    for (var e : s.tags().entrySet()) {
      if (!first) {
        sb.append(',');
      }
      first = false;
      string(sb, e.getKey());
      sb.append(':');
      string(sb, e.getValue());
    }
    sb.append("}}");
  }

  private static void ip(StringBuilder sb, String ip) {
    if (ip == null) {
      return;
    }
    sb.append(ip.indexOf(':') >= 0 ? ",\"ipv6\":" : ",\"ipv4\":");
    string(sb, ip);
  }

  static void string(StringBuilder sb, String s) {
    io.meshwork.proxy.JsonStrings.quote(sb, s);
  }
}
