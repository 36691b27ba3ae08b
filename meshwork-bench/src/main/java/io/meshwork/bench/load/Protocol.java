package io.meshwork.bench.load;

import java.util.Arrays;
import java.util.Locale;

/**
 * What the load generator speaks on each connection: HTTP/1.1 keep-alive, HTTP/2 over cleartext with
 * prior knowledge (h2c), or gRPC unary calls over h2c. Each connection has one request (stream) in
 * flight at a time in every mode, so the modes differ only in framing and the figures stay comparable.
 */
public enum Protocol {
  HTTP1("http1"),
  H2C("h2c"),
  GRPC("grpc");

  private final String id;

  Protocol(String id) {
    this.id = id;
  }

  public String id() {
    return id;
  }

  public boolean http2() {
    return this != HTTP1;
  }

  /** The request path when none is given: a gRPC method path for gRPC, {@code /echo} otherwise. */
  public String defaultPath() {
    return this == GRPC ? "/meshwork.bench.Echo/Call" : "/echo";
  }

  /** Parses {@code http1}, {@code h2c} or {@code grpc}; anything else is a usage error naming the choices. */
  public static Protocol parse(String s) {
    var v = s == null ? "" : s.strip().toLowerCase(Locale.ROOT);
    return Arrays.stream(values()).filter(p -> p.id.equals(v)).findFirst().orElseThrow(() ->
        new IllegalArgumentException("--protocol " + s + ": expected one of http1, h2c, grpc"));
  }
}
