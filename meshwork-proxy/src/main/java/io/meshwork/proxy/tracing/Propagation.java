package io.meshwork.proxy.tracing;

import io.netty.handler.codec.http.HttpHeaders;
import java.util.function.Function;

/**
 * Reads and writes trace context headers. Accepted on the way in, first match wins: W3C
 * {@code traceparent} (+ {@code tracestate}), the single {@code b3} header, then B3's
 * {@code X-B3-TraceId}/{@code X-B3-SpanId}/{@code X-B3-Sampled}/{@code X-B3-Flags}. A sampling
 * decision without ids ({@code b3: 0}, or {@code X-B3-Sampled} alone) is kept as a decision.
 * Written on the way out: both W3C and B3 multi-header (and {@code b3} when the request came with
 * it), so that applications using either convention find the proxy's span as their parent.
 */
public final class Propagation {
  public static final String TRACEPARENT = "traceparent";
  public static final String TRACESTATE = "tracestate";
  public static final String B3 = "b3";
  public static final String B3_TRACE_ID = "x-b3-traceid";
  public static final String B3_SPAN_ID = "x-b3-spanid";
  public static final String B3_PARENT_SPAN_ID = "x-b3-parentspanid";
  public static final String B3_SAMPLED = "x-b3-sampled";
  public static final String B3_FLAGS = "x-b3-flags";

  /** Where an incoming context came from; {@link #NONE} when the request carried none. */
  public enum Format { NONE, W3C, B3_SINGLE, B3_MULTI }

  /**
   * What a request carried: a context (null when there were no valid ids), the sampling decision
   * (possibly without a context) and the header style it used.
   */
  public record Incoming(TraceContext context, TraceContext.Sampled sampled, Format format) {
    static final Incoming NONE = new Incoming(null, TraceContext.Sampled.UNDECIDED, Format.NONE);
  }

  private Propagation() {}

  public static Incoming extract(HttpHeaders h) {
    return extract(h::get);
  }

  /** Extracts from any header source ({@code header} returns null when absent; names are lower-case). */
  public static Incoming extract(Function<String, String> header) {
    var tp = header.apply(TRACEPARENT);
    if (tp != null) {
      var ctx = parseTraceparent(tp.trim(), header.apply(TRACESTATE));
      if (ctx != null) {
        return new Incoming(ctx, ctx.sampled(), Format.W3C);
      }
    }
    var single = header.apply(B3);
    if (single != null) {
      var in = parseB3Single(single.trim());
      if (in != null) {
        return in;
      }
    }
    return parseB3Multi(header);
  }

  /** {@code version-traceid-parentid-flags}; version ff and all-zero ids are invalid. */
  static TraceContext parseTraceparent(String v, String traceState) {
    if (v.length() < 55 || v.charAt(2) != '-' || v.charAt(35) != '-' || v.charAt(52) != '-') {
      return null;
    }
    var version = v.substring(0, 2);
    if (!isHex(version) || version.equalsIgnoreCase("ff") || (version.equals("00") && v.length() != 55)
        || (v.length() > 55 && v.charAt(55) != '-')) {
      return null;
    }
    var trace = v.substring(3, 35);
    var span = v.substring(36, 52);
    var flags = v.substring(53, 55);
    if (!Ids.isId(trace, 32) || !Ids.isId(span, 16) || !isHex(flags)) {
      return null;
    }
    boolean sampled = (Integer.parseInt(flags, 16) & 1) == 1;
    var state = traceState == null || traceState.isBlank() ? null : traceState.trim();
    return new TraceContext(trace.toLowerCase(java.util.Locale.ROOT), span.toLowerCase(java.util.Locale.ROOT),
        sampled ? TraceContext.Sampled.SAMPLED : TraceContext.Sampled.NOT_SAMPLED, state);
  }

  /** {@code traceid-spanid[-sampled[-parentspanid]]}, or just a decision {@code 0|1|d}. */
  static Incoming parseB3Single(String v) {
    if (v.length() == 1) {
      var s = b3Decision(v);
      return s == null ? null : new Incoming(null, s, Format.B3_SINGLE);
    }
    var parts = v.split("-", -1);
    if (parts.length < 2 || parts.length > 4) {
      return null;
    }
    var trace = Ids.traceId(parts[0]);
    var span = Ids.spanId(parts[1]);
    if (trace == null || span == null) {
      return null;
    }
    var sampled = TraceContext.Sampled.UNDECIDED;
    if (parts.length >= 3) {
      sampled = b3Decision(parts[2]);
      if (sampled == null) {
        return null;
      }
    }
    if (parts.length == 4 && Ids.spanId(parts[3]) == null) {
      return null;
    }
    return new Incoming(new TraceContext(trace, span, sampled, null), sampled, Format.B3_SINGLE);
  }

  private static Incoming parseB3Multi(Function<String, String> header) {
    var sampled = TraceContext.Sampled.UNDECIDED;
    if ("1".equals(trim(header.apply(B3_FLAGS)))) {
      sampled = TraceContext.Sampled.DEBUG;
    } else {
      var s = trim(header.apply(B3_SAMPLED));
      if (s != null) {
        sampled = switch (s.toLowerCase(java.util.Locale.ROOT)) {
          case "1", "true" -> TraceContext.Sampled.SAMPLED;
          case "0", "false" -> TraceContext.Sampled.NOT_SAMPLED;
          default -> TraceContext.Sampled.UNDECIDED;
        };
      }
    }
    var trace = Ids.traceId(trim(header.apply(B3_TRACE_ID)));
    var span = Ids.spanId(trim(header.apply(B3_SPAN_ID)));
    if (trace == null || span == null) {
      return sampled.isDecided() ? new Incoming(null, sampled, Format.B3_MULTI) : Incoming.NONE;
    }
    return new Incoming(new TraceContext(trace, span, sampled, null), sampled, Format.B3_MULTI);
  }

  private static TraceContext.Sampled b3Decision(String s) {
    return switch (s) {
      case "1" -> TraceContext.Sampled.SAMPLED;
      case "0" -> TraceContext.Sampled.NOT_SAMPLED;
      case "d" -> TraceContext.Sampled.DEBUG;
      default -> null;
    };
  }

  /**
   * Writes {@code ctx} (whose span id is the proxy's own span, the parent of whatever the next hop
   * creates) into the upstream request, replacing any trace headers it carried.
   *
   * @param parentSpanId the caller's span id, written as {@code X-B3-ParentSpanId} (null: a root span)
   * @param single also write the single {@code b3} header (the request came with one)
   */
  public static void inject(HttpHeaders h, TraceContext ctx, String parentSpanId, boolean single) {
    boolean sampled = ctx.sampled().isSampled();
    h.set(TRACEPARENT, "00-" + ctx.traceId() + "-" + ctx.spanId() + (sampled ? "-01" : "-00"));
    if (ctx.traceState() != null) {
      h.set(TRACESTATE, ctx.traceState());
    } else {
      h.remove(TRACESTATE);
    }
    h.set(B3_TRACE_ID, ctx.traceId());
    h.set(B3_SPAN_ID, ctx.spanId());
    if (parentSpanId != null) {
      h.set(B3_PARENT_SPAN_ID, parentSpanId);
    } else {
      h.remove(B3_PARENT_SPAN_ID);
    }
    if (ctx.sampled() == TraceContext.Sampled.DEBUG) {
      h.set(B3_FLAGS, "1");
      h.remove(B3_SAMPLED);
    } else {
      h.remove(B3_FLAGS);
      h.set(B3_SAMPLED, sampled ? "1" : "0");
    }
    if (single) {
      var decision = ctx.sampled() == TraceContext.Sampled.DEBUG ? "d" : sampled ? "1" : "0";
      h.set(B3, ctx.traceId() + "-" + ctx.spanId() + "-" + decision + (parentSpanId != null ? "-" + parentSpanId : ""));
    } else {
      h.remove(B3);
    }
  }

  private static boolean isHex(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
        return false;
      }
    }
    return true;
  }

  private static String trim(String s) {
    return s == null ? null : s.trim();
  }
}
