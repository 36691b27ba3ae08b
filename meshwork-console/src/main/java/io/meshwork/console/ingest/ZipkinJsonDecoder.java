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
 * Decodes Zipkin v2 JSON ({@code POST /api/v2/spans}: an array of spans with hex ids, µs
 * timestamps, localEndpoint.serviceName, string tags and annotations), mapping it the way
 * Jaeger's Zipkin receiver does: the error tag becomes {@code error=true}, endpoints become
 * {@code peer.*} tags, annotations become logs.
 */
public final class ZipkinJsonDecoder {
  private static final ObjectMapper JSON = new ObjectMapper();

  private ZipkinJsonDecoder() {}

  public static List<Span> decode(byte[] body) throws IOException {
    JsonNode root = JSON.readTree(body);
    if (!root.isArray()) {
      throw new IOException("Zipkin v2 expects a JSON array of spans");
    }
    var out = new ArrayList<Span>(root.size());
    for (JsonNode z : root) {
      String traceId = z.path("traceId").asText("");
      String id = z.path("id").asText("");
      if (traceId.isEmpty() || id.isEmpty()) {
        throw new IOException("a Zipkin span has no traceId or id");
      }
      String parent = z.path("parentId").asText(null);
      Map<String, Object> tags = new LinkedHashMap<>();
      z.path("tags").properties().forEach(e -> tags.put(e.getKey(), e.getValue().asText()));
      if (tags.containsKey("error")) {
        tags.put("error.message", tags.get("error"));
        tags.put("error", true);
      }
      SpanKind kind = SpanKind.ofZipkin(z.path("kind").asText(null));
      if (kind != SpanKind.UNSPECIFIED) {
        tags.put("span.kind", kind.jaegerName());
      }
      JsonNode remote = z.path("remoteEndpoint");
      if (remote.isObject()) {
        putIf(tags, "peer.service", remote.path("serviceName"));
        putIf(tags, "peer.ipv4", remote.path("ipv4"));
        putIf(tags, "peer.ipv6", remote.path("ipv6"));
        if (remote.has("port")) {
          tags.put("peer.port", remote.get("port").asLong());
        }
      }
      Map<String, Object> process = new LinkedHashMap<>();
      JsonNode local = z.path("localEndpoint");
      putIf(process, "ip", local.path("ipv4"));
      var logs = new ArrayList<SpanLog>();
      for (JsonNode a : z.path("annotations")) {
        logs.add(new SpanLog(a.path("timestamp").asLong(), Map.of("event", a.path("value").asText())));
      }
      var refs = new ArrayList<SpanRef>();
      if (parent != null && !parent.isEmpty()) {
        refs.add(new SpanRef("CHILD_OF", traceId, parent));
      }
      out.add(new Span(traceId, id, parent, z.path("name").asText(""), kind, z.path("timestamp").asLong(),
          z.path("duration").asLong(), local.path("serviceName").asText(null), tags, process, logs, refs));
    }
    return out;
  }

  private static void putIf(Map<String, Object> m, String key, JsonNode v) {
    if (v.isValueNode() && !v.asText().isEmpty()) {
      m.put(key, v.asText());
    }
  }
}
