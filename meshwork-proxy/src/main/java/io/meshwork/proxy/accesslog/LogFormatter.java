package io.meshwork.proxy.accesslog;

import io.meshwork.proxy.config.AccessLogConfig;
import io.meshwork.proxy.config.LogTemplate;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;

/**
 * Formats an entry for one access log: Envoy's default line, a custom text format, or JSON (one
 * object per line, keys sorted). In text, absent values print as "-"; in JSON, a field that is a
 * single numeric operator ({@code %RESPONSE_CODE%}, {@code %DURATION%}, ...) is a JSON number and an
 * absent value is {@code null}, as Envoy writes them.
 */
public final class LogFormatter {
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
  private static final String HOSTNAME = hostname();

  private LogFormatter() {}

  /** The line (with its newline) that {@code target} writes for {@code e}. */
  public static String format(AccessLogConfig target, AccessLogEntry e) {
    if (target.json() != null) {
      return json(target.json(), e);
    }
    if (target.text() != null) {
      return text(target.text(), e);
    }
    return EnvoyTextFormat.format(e);
  }

  static String text(LogTemplate t, AccessLogEntry e) {
    var sb = new StringBuilder(128);
    for (var p : t.parts()) {
      switch (p) {
        case LogTemplate.Literal l -> sb.append(l.text());
        case LogTemplate.Operator o -> {
          var v = value(o, e);
          sb.append(v == null ? "-" : v.toString());
        }
      }
    }
    var s = sb.toString();
    return s.endsWith("\n") ? s : s + "\n";
  }

  static String json(Map<String, LogTemplate> fields, AccessLogEntry e) {
    var sb = new StringBuilder(256).append('{');
    boolean first = true;
    for (var f : fields.entrySet()) {
      if (!first) {
        sb.append(',');
      }
      first = false;
      quote(sb, f.getKey());
      sb.append(':');
      var parts = f.getValue().parts();
      if (parts.size() == 1 && parts.getFirst() instanceof LogTemplate.Operator o) {
        var v = value(o, e);
        if (v == null) {
          sb.append("null");
        } else if (v instanceof Long || v instanceof Integer) {
          sb.append(v);
        } else {
          quote(sb, v.toString());
        }
      } else {
        var t = text(f.getValue(), e);
        quote(sb, t.substring(0, t.length() - 1));
      }
    }
    return sb.append("}\n").toString();
  }

  /** The value of one operator: a String, a Long, or null when absent. */
  static Object value(LogTemplate.Operator o, AccessLogEntry e) {
    var d = e.details();
    Object v = switch (o.name()) {
      case "START_TIME" -> TIME.format(Instant.ofEpochMilli(e.startMillis()));
      case "REQ" -> {
        var r = request(o.arg(), e);
        yield r != null || o.alt() == null ? r : request(o.alt(), e);
      }
      case "RESP" -> {
        var r = response(o.arg(), e);
        yield r != null || o.alt() == null ? r : response(o.alt(), e);
      }
      case "RESPONSE_CODE" -> (long) e.responseCode();
      case "RESPONSE_FLAGS" -> e.responseFlags() == null ? "-" : e.responseFlags();
      case "RESPONSE_CODE_DETAILS" -> ResponseCodeDetails.of(e.responseCode(), e.responseFlags(), e.upstreamHost(),
          e.upstreamServiceTimeMillis() != null);
      case "BYTES_RECEIVED" -> e.bytesReceived();
      case "BYTES_SENT" -> e.bytesSent();
      case "DURATION" -> e.durationMillis();
      case "UPSTREAM_SERVICE_TIME", "RESPONSE_DURATION" -> e.upstreamServiceTimeMillis();
      case "PROTOCOL" -> e.protocol();
      case "UPSTREAM_HOST" -> e.upstreamHost();
      case "UPSTREAM_CLUSTER" -> d.upstreamCluster();
      case "ROUTE_NAME" -> d.routeName();
      case "DOWNSTREAM_REMOTE_ADDRESS" -> hostPort(d.downstreamRemote());
      case "DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT" -> LogFilters.ip(d.downstreamRemote());
      case "DOWNSTREAM_LOCAL_ADDRESS" -> hostPort(d.downstreamLocal());
      case "DOWNSTREAM_LOCAL_ADDRESS_WITHOUT_PORT" -> LogFilters.ip(d.downstreamLocal());
      case "REQUESTED_SERVER_NAME" -> d.sni() == null || d.sni().isEmpty() ? null : d.sni();
      case "HOSTNAME" -> HOSTNAME;
      default -> null; // known to Envoy, not tracked here yet (UPSTREAM_LOCAL_ADDRESS, ...): printed as absent
    };
    if (v instanceof String s && o.maxLength() >= 0 && s.length() > o.maxLength()) {
      return s.substring(0, o.maxLength());
    }
    return v;
  }

  private static String request(String name, AccessLogEntry e) {
    return switch (name) {
      case ":method" -> e.method();
      case ":path" -> e.path();
      case ":authority", "host" -> e.authority();
      case ":scheme" -> e.details().requestHeader().apply("x-forwarded-proto");
      case "x-request-id" -> e.requestId();
      case "user-agent" -> e.userAgent();
      case "x-forwarded-for" -> e.forwardedFor();
      default -> e.details().requestHeader().apply(name);
    };
  }

  private static String response(String name, AccessLogEntry e) {
    if (name.equals("x-envoy-upstream-service-time") && e.upstreamServiceTimeMillis() != null) {
      return e.upstreamServiceTimeMillis().toString();
    }
    if (name.equals(":status")) {
      return e.responseCode() == 0 ? null : Integer.toString(e.responseCode());
    }
    return e.details().responseHeader().apply(name);
  }

  private static String hostPort(SocketAddress a) {
    return a instanceof InetSocketAddress i && i.getAddress() != null ? i.getAddress().getHostAddress() + ":" + i.getPort() : null;
  }

  private static void quote(StringBuilder sb, String s) {
    io.meshwork.proxy.JsonStrings.quote(sb, s);
  }

  private static String hostname() {
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.io.IOException e) {
      return null;
    }
  }
}
