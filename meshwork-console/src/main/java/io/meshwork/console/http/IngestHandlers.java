package io.meshwork.console.http;

import com.sun.net.httpserver.HttpServer;
import io.meshwork.console.ingest.OtlpJsonDecoder;
import io.meshwork.console.ingest.OtlpProtoDecoder;
import io.meshwork.console.ingest.ZipkinJsonDecoder;
import io.meshwork.console.trace.TraceStore;
import java.io.IOException;

/**
 * The HTTP ingest endpoints: OTLP/HTTP {@code POST /v1/traces} (protobuf by default, JSON when the
 * Content-Type says {@code application/json}) and Zipkin {@code POST /api/v2/spans} (JSON v2).
 * A body that does not decode gets 400 with the reason; nothing of it is stored.
 */
public final class IngestHandlers {
  private IngestHandlers() {}

  public static void otlp(HttpServer server, TraceStore store) {
    server.createContext("/v1/traces", h -> {
      var ex = new Exchange(h);
      if (!"POST".equals(ex.method())) {
        ex.text(405, "POST OTLP ExportTraceServiceRequest here");
        return;
      }
      String type = ex.header("Content-Type");
      boolean json = type != null && type.startsWith("application/json");
      try {
        byte[] body = ex.body();
        store.add(json ? OtlpJsonDecoder.decode(body) : OtlpProtoDecoder.decode(body));
      } catch (IOException | RuntimeException e) {
        ex.text(400, "cannot decode the OTLP " + (json ? "JSON" : "protobuf") + " body: " + e.getMessage());
        return;
      }
      if (json) {
        ex.send(200, "application/json", "{}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
      } else {
        ex.send(200, "application/x-protobuf", new byte[0]);
      }
    });
  }

  public static void zipkin(HttpServer server, TraceStore store) {
    server.createContext("/api/v2/spans", h -> {
      var ex = new Exchange(h);
      if (!"POST".equals(ex.method())) {
        ex.text(405, "POST Zipkin v2 JSON spans here");
        return;
      }
      String type = ex.header("Content-Type");
      if (type != null && type.startsWith("application/x-protobuf")) {
        ex.text(415, "Zipkin proto3 is not accepted; send Zipkin v2 JSON");
        return;
      }
      try {
        store.add(ZipkinJsonDecoder.decode(ex.body()));
      } catch (IOException | RuntimeException e) {
        ex.text(400, "cannot decode the Zipkin v2 JSON body: " + e.getMessage());
        return;
      }
      ex.send(202, "text/plain", new byte[0]);
    });
  }
}
