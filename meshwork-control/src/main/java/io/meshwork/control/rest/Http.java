package io.meshwork.control.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import io.meshwork.config.codec.ConfigLoader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** Reading requests and writing JSON answers, including Kubernetes' {@code Status} for errors. */
final class Http {
  /** Bodies above this are refused with 413, as the Kubernetes API server refuses bodies over 3 MiB. */
  static final int MAX_BODY = 3 * 1024 * 1024;

  private Http() {}

  /** An error answered as a Kubernetes Status. */
  static final class Failure extends RuntimeException {
    final int code;
    final String reason;

    Failure(int code, String reason, String message) {
      super(message, null, false, false);
      this.code = code;
      this.reason = reason;
    }
  }

  static Failure badRequest(String message) {
    return new Failure(400, "BadRequest", message);
  }

  static Failure notFound(String message) {
    return new Failure(404, "NotFound", message);
  }

  /**
   * How much of an oversized body is read and discarded before the 413 is sent. Closing a socket
   * with unread bytes makes the kernel send a reset, which can destroy the 413 before the client
   * reads it; a larger body than this is not worth reading, and its client may see the reset.
   */
  static final long DRAIN_LIMIT = 4L * MAX_BODY;

  static String body(HttpExchange ex) throws IOException {
    var len = ex.getRequestHeaders().getFirst("Content-Length");
    if (len != null && Long.parseLong(len) > MAX_BODY) {
      if (Long.parseLong(len) <= DRAIN_LIMIT) {
        try (var in = ex.getRequestBody()) {
          drain(in);
        }
      }
      throw tooLarge();
    }
    try (var in = ex.getRequestBody()) {
      var bytes = in.readNBytes(MAX_BODY + 1);
      if (bytes.length > MAX_BODY) {
        drain(in);
        throw tooLarge();
      }
      try {
        return ConfigLoader.decode("the request body", bytes);
      } catch (RuntimeException e) {
        throw new Failure(415, "UnsupportedMediaType", e.getMessage());
      }
    }
  }

  /** Reads and discards what is left of a body, at most {@link #DRAIN_LIMIT} bytes. */
  private static void drain(java.io.InputStream in) throws IOException {
    var buf = new byte[64 * 1024];
    long budget = DRAIN_LIMIT;
    int n;
    while (budget > 0 && (n = in.read(buf, 0, (int) Math.min(buf.length, budget))) > 0) {
      budget -= n;
    }
  }

  private static Failure tooLarge() {
    return new Failure(413, "RequestEntityTooLarge", "the request body is larger than " + (MAX_BODY >> 20) + " MiB; split the input into several requests");
  }

  static void json(HttpExchange ex, int code, JsonNode body) throws IOException {
    send(ex, code, "application/json", ConfigLoader.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(body));
  }

  static void send(HttpExchange ex, int code, String type, String text) throws IOException {
    var bytes = text.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", type);
    ex.sendResponseHeaders(code, bytes.length == 0 ? -1 : bytes.length);
    if (bytes.length > 0) {
      try (var out = ex.getResponseBody()) {
        out.write(bytes);
      }
    }
  }

  static void status(HttpExchange ex, int code, String reason, String message) throws IOException {
    if (code == 413) {
      // The oversized body was not read: the connection cannot carry another request.
      ex.getResponseHeaders().set("Connection", "close");
    }
    var o = ConfigLoader.JSON.createObjectNode();
    o.put("kind", "Status");
    o.put("apiVersion", "v1");
    o.putObject("metadata");
    o.put("status", code < 400 ? "Success" : "Failure");
    o.put("message", message);
    o.put("reason", reason);
    o.put("code", code);
    json(ex, code, o);
  }
}
