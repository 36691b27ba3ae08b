package io.meshwork.bench.compare;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * HAProxy as the reference proxy: configuration files for one HTTP hop, optionally terminating or
 * originating TLS, and a self-signed ECDSA certificate made with {@code openssl} for the pair.
 * A {@code monitor-uri /ready} frontend on the admin port plays the part of our admin {@code /ready}.
 */
public final class Haproxy {
  /** The name the server-side certificate is issued for and the client side verifies. */
  public static final String SERVER_NAME = "backend.bench.local";

  private Haproxy() {}

  /** The haproxy binary on the PATH, or null. */
  public static String find() {
    for (var dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      var p = Path.of(dir, "haproxy");
      if (Files.isExecutable(p)) {
        return p.toString();
      }
    }
    for (var p : List.of("/usr/sbin/haproxy", "/usr/local/sbin/haproxy")) {
      if (Files.isExecutable(Path.of(p))) {
        return p;
      }
    }
    return null;
  }

  /**
   * One hop. {@code bindPem} (certificate + key) makes the frontend speak TLS; {@code upstreamCa}
   * makes the connection to the upstream TLS, verified against that CA and {@link #SERVER_NAME}.
   */
  public static String config(int port, int adminPort, int upstreamPort, Path bindPem, Path upstreamCa) {
    return """
        global
          maxconn 4096
        defaults
          mode http
          timeout connect 5s
          timeout client 60s
          timeout server 60s
          option http-keep-alive
          http-reuse always
        frontend ready
          bind 127.0.0.1:%d
          monitor-uri /ready
        frontend in
          bind 127.0.0.1:%d%s
          default_backend out
        backend out
          server s1 127.0.0.1:%d%s
        """.formatted(adminPort, port, bindPem == null ? "" : " ssl crt " + bindPem,
        upstreamPort, upstreamCa == null ? "" : " ssl verify required ca-file " + upstreamCa + " verifyhost " + SERVER_NAME + " sni str(" + SERVER_NAME + ")");
  }

  /**
   * Makes a self-signed P-256 certificate for {@link #SERVER_NAME} in {@code dir}: {@code server.pem}
   * (certificate + key, HAProxy's format) and {@code ca.pem} (the certificate, trusted by the client
   * side). Returns false when openssl is missing or fails.
   */
  public static boolean makeCertificate(Path dir) throws IOException, InterruptedException {
    var key = dir.resolve("server.key");
    var crt = dir.resolve("ca.pem");
    var p = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
        "-nodes", "-days", "2", "-subj", "/CN=" + SERVER_NAME, "-addext", "subjectAltName=DNS:" + SERVER_NAME,
        "-keyout", key.toString(), "-out", crt.toString())
        .redirectErrorStream(true).redirectOutput(dir.resolve("openssl.log").toFile());
    Process proc;
    try {
      proc = p.start();
    } catch (IOException e) {
      return false;
    }
    if (!proc.waitFor(30, TimeUnit.SECONDS) || proc.exitValue() != 0) {
      proc.destroyForcibly();
      return false;
    }
    Files.writeString(dir.resolve("server.pem"), Files.readString(crt) + Files.readString(key));
    return true;
  }
}
