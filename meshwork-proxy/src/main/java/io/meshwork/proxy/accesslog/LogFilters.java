package io.meshwork.proxy.accesslog;

import io.meshwork.proxy.config.AccessLogConfig;
import io.meshwork.proxy.config.CelExpression;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * Evaluates access log filters on an entry. CEL follows Envoy: an expression that fails (a missing
 * header compared, mismatched types) does not log, unless {@code &&}/{@code ||} short-circuits past
 * the failing side; only a result of {@code true} logs.
 */
public final class LogFilters {
  /** A CEL evaluation error (no such key, wrong type). */
  private static final Object ERROR = new Object();

  private LogFilters() {}

  public static boolean accepts(AccessLogConfig.Filter filter, AccessLogEntry e) {
    return switch (filter) {
      case null -> true;
      case AccessLogConfig.CelFilter c -> eval(c.expression().root(), e) == Boolean.TRUE;
      case AccessLogConfig.StatusCodeFilter s -> switch (s.op()) {
        case "EQ" -> e.responseCode() == s.value();
        case "GE" -> e.responseCode() >= s.value();
        default -> e.responseCode() <= s.value();
      };
      case AccessLogConfig.Combined c -> {
        for (var f : c.filters()) {
          boolean ok = accepts(f, e);
          if (c.all() != ok) {
            yield ok;
          }
        }
        yield c.all();
      }
    };
  }

  static Object eval(CelExpression.Node node, AccessLogEntry e) {
    return switch (node) {
      case CelExpression.Literal l -> l.value();
      case CelExpression.Attribute a -> attribute(a.name(), e);
      case CelExpression.Index i -> {
        var key = eval(i.key(), e);
        if (!(key instanceof String k) || !(i.target() instanceof CelExpression.Attribute a)) {
          yield ERROR;
        }
        var lower = k.toLowerCase(java.util.Locale.ROOT);
        var v = switch (a.name()) {
          case "request.headers" -> e.details().requestHeader().apply(lower);
          case "response.headers" -> e.details().responseHeader().apply(lower);
          default -> null;
        };
        yield v == null ? ERROR : v; // CEL: no such key
      }
      case CelExpression.Call c -> {
        var target = eval(c.target(), e);
        var arg = eval(c.args().getFirst(), e);
        if (!(target instanceof String t) || !(arg instanceof String s)) {
          yield ERROR;
        }
        yield switch (c.method()) {
          case "startsWith" -> t.startsWith(s);
          case "endsWith" -> t.endsWith(s);
          default -> t.contains(s);
        };
      }
      case CelExpression.Not n -> eval(n.operand(), e) instanceof Boolean b ? !b : ERROR;
      case CelExpression.Binary b -> binary(b, e);
    };
  }

  private static Object binary(CelExpression.Binary b, AccessLogEntry e) {
    if (b.op().equals("&&") || b.op().equals("||")) {
      boolean and = b.op().equals("&&");
      var l = eval(b.left(), e);
      if (l instanceof Boolean lb && lb != and) {
        return lb; // short circuit: false && _, true || _
      }
      var r = eval(b.right(), e);
      if (r instanceof Boolean rb && rb != and) {
        return rb;
      }
      return l instanceof Boolean && r instanceof Boolean ? and : ERROR;
    }
    var l = eval(b.left(), e);
    var r = eval(b.right(), e);
    if (l == ERROR || r == ERROR || l == null || r == null) {
      return ERROR;
    }
    if (b.op().equals("==") || b.op().equals("!=")) {
      if (l.getClass() != r.getClass()) {
        return ERROR; // CEL has no heterogeneous equality for these types
      }
      return b.op().equals("==") == l.equals(r);
    }
    int cmp;
    if (l instanceof Long x && r instanceof Long y) {
      cmp = Long.compare(x, y);
    } else if (l instanceof String x && r instanceof String y) {
      cmp = x.compareTo(y);
    } else {
      return ERROR;
    }
    return switch (b.op()) {
      case "<" -> cmp < 0;
      case "<=" -> cmp <= 0;
      case ">" -> cmp > 0;
      default -> cmp >= 0;
    };
  }

  private static Object attribute(String name, AccessLogEntry e) {
    var d = e.details();
    Object v = switch (name) {
      case "response.code" -> (long) e.responseCode();
      case "response.code_details" -> ResponseCodeDetails.of(e.responseCode(), e.responseFlags(), e.upstreamHost(),
          e.upstreamServiceTimeMillis() != null);
      case "response.flags" -> e.responseFlags() == null || e.responseFlags().equals("-") ? 0L : 1L;
      case "response.size" -> e.bytesSent();
      case "response.grpc_status" -> parseLong(d.responseHeader().apply("grpc-status"));
      case "request.path" -> e.path();
      case "request.url_path" -> e.path() == null ? null : e.path().split("\\?", 2)[0];
      case "request.host" -> e.authority();
      case "request.method" -> e.method();
      case "request.scheme" -> d.requestHeader().apply("x-forwarded-proto");
      case "request.useragent" -> e.userAgent();
      case "request.referer" -> d.requestHeader().apply("referer");
      case "request.id" -> e.requestId();
      case "request.protocol" -> e.protocol();
      case "request.size" -> e.bytesReceived();
      case "connection.mtls" -> d.mtls();
      case "connection.requested_server_name" -> d.sni() == null ? "" : d.sni();
      case "source.address" -> ip(d.downstreamRemote());
      case "source.port" -> port(d.downstreamRemote());
      case "destination.address" -> ip(d.downstreamLocal());
      case "destination.port" -> port(d.downstreamLocal());
      case "upstream.address" -> e.upstreamHost();
      case "xds.cluster_name" -> d.upstreamCluster();
      case "xds.route_name" -> d.routeName();
      default -> null;
    };
    return v == null ? ERROR : v;
  }

  private static Long parseLong(String s) {
    try {
      return s == null ? null : Long.parseLong(s.trim());
    } catch (NumberFormatException ex) {
      return null;
    }
  }

  static String ip(SocketAddress a) {
    return a instanceof InetSocketAddress i && i.getAddress() != null ? i.getAddress().getHostAddress() : null;
  }

  private static Long port(SocketAddress a) {
    return a instanceof InetSocketAddress i ? (long) i.getPort() : null;
  }
}
