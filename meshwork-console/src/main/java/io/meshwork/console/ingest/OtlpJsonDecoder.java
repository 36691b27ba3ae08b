package io.meshwork.console.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meshwork.console.trace.Span;
import io.meshwork.console.trace.SpanKind;
import io.meshwork.console.trace.SpanLog;
import io.meshwork.console.trace.SpanRef;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Decodes the OTLP/JSON encoding of {@code ExportTraceServiceRequest}. Per the OTLP spec, ids are
 * hex strings (not base64), 64-bit integers may be strings or numbers, and enums may be numbers or
 * their names (SPAN_KIND_SERVER, STATUS_CODE_ERROR).
 */
public final class OtlpJsonDecoder {
  private static final ObjectMapper JSON = new ObjectMapper();

  private OtlpJsonDecoder() {}

  public static List<Span> decode(byte[] body) throws IOException {
    JsonNode root = JSON.readTree(body);
    var out = new ArrayList<Span>();
    for (JsonNode rs : root.path("resourceSpans")) {
      Map<String, Object> resource = new LinkedHashMap<>();
      attributes(rs.path("resource").path("attributes"), resource);
      Object svc = resource.remove("service.name");
      String service = svc == null ? null : svc.toString();
      for (JsonNode ss : rs.path("scopeSpans")) {
        for (JsonNode s : ss.path("spans")) {
          var b = new OtlpSpanBuilder(service, resource);
          b.scope(ss.path("scope").path("name").asText(null), ss.path("scope").path("version").asText(null));
          b.traceId = s.path("traceId").asText();
          b.spanId = s.path("spanId").asText();
          b.parentSpanId = s.path("parentSpanId").asText(null);
          b.name = s.path("name").asText("");
          b.kind = kind(s.path("kind"));
          b.startNanos = s.path("startTimeUnixNano").asLong();
          b.endNanos = s.path("endTimeUnixNano").asLong();
          attributes(s.path("attributes"), b.tags);
          for (JsonNode e : s.path("events")) {
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("event", e.path("name").asText());
            attributes(e.path("attributes"), f);
            b.logs.add(new SpanLog(e.path("timeUnixNano").asLong() / 1000, f));
          }
          for (JsonNode l : s.path("links")) {
            b.links.add(new SpanRef("FOLLOWS_FROM", l.path("traceId").asText(), l.path("spanId").asText()));
          }
          JsonNode st = s.path("status");
          JsonNode code = st.path("code");
          b.statusCode = code.isTextual() ? statusCode(code.asText()) : code.asInt();
          b.statusMessage = st.path("message").asText(null);
          out.add(b.build());
        }
      }
    }
    return out;
  }

  private static SpanKind kind(JsonNode k) {
    if (k.isTextual()) {
      String s = k.asText().replace("SPAN_KIND_", "");
      try {
        return SpanKind.valueOf(s);
      } catch (IllegalArgumentException e) {
        return SpanKind.UNSPECIFIED;
      }
    }
    return SpanKind.ofOtlp(k.asInt());
  }

  private static int statusCode(String s) {
    return switch (s) {
      case "STATUS_CODE_OK" -> 1;
      case "STATUS_CODE_ERROR" -> 2;
      default -> 0;
    };
  }

  private static void attributes(JsonNode attrs, Map<String, Object> into) {
    for (JsonNode kv : attrs) {
      Object v = value(kv.path("value"));
      if (v != null) {
        into.put(kv.path("key").asText(), v);
      }
    }
  }

  private static Object value(JsonNode v) {
    if (v.has("stringValue")) {
      return v.get("stringValue").asText();
    }
    if (v.has("boolValue")) {
      return v.get("boolValue").asBoolean();
    }
    if (v.has("intValue")) {
      return v.get("intValue").asLong();
    }
    if (v.has("doubleValue")) {
      return v.get("doubleValue").asDouble();
    }
    if (v.has("arrayValue")) {
      var items = new ArrayList<Object>();
      for (JsonNode i : v.get("arrayValue").path("values")) {
        items.add(value(i));
      }
      return OtlpSpanBuilder.listToString(items);
    }
    if (v.has("kvlistValue")) {
      Map<String, Object> m = new LinkedHashMap<>();
      attributes(v.get("kvlistValue").path("values"), m);
      return m.toString();
    }
    if (v.has("bytesValue")) {
      return v.get("bytesValue").asText();
    }
    return null;
  }
}
