package io.meshwork.cli;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.concurrent.TimeUnit;

/**
 * The AOT-cache training run of the proxy role. The launcher ({@code ./meshwork}) runs it once after it
 * builds the jar, with the proxy's JVM flags and {@code -XX:AOTCacheOutput}; the JVM records every
 * class this run loads and links (and method profiles) and writes the cache at exit, so a later
 * {@code meshwork proxy} starts without parsing, verifying and linking those classes again (about
 * two thirds of its start-up CPU, docs/benchmarks.md).
 *
 * <p>It goes through the real command line ({@code meshwork proxy --bootstrap FILE}) so the cache
 * holds exactly what the proxy role loads: picocli, the bootstrap loader, the Envoy API types, the
 * Netty pipeline and the admin endpoints; traffic is plain sockets to an in-process HTTP/1.1 echo
 * upstream, so no HTTP client library ends up in the cache.
 */
public final class ProxyTraining {
  private static final int REQUESTS = 3000;
  private static final byte[] BODY = new byte[1024];

  private ProxyTraining() {}

  public static void main(String[] args) throws Exception {
    try (var upstream = new ServerSocket(0, 64, InetAddress.getLoopbackAddress())) {
      var echo = new Thread(() -> serve(upstream), "training-upstream");
      echo.setDaemon(true);
      echo.start();
      int admin = freePort();
      int listener = freePort();
      var bootstrap = Files.createTempFile("meshwork-training-", ".yaml");
      try {
        Files.writeString(bootstrap, bootstrap(admin, listener, upstream.getLocalPort()));
        var err = new StringWriter();
        var proxy = new Thread(() -> Main.run(new PrintWriter(OutputStream.nullOutputStream()), new PrintWriter(err),
            "proxy", "--bootstrap", bootstrap.toString(), "--prometheus-port", "0"), "training-proxy");
        proxy.start();
        awaitReady(admin, proxy, err);
        var clients = new ArrayList<Thread>();
        for (int c = 0; c < 4; c++) {
          var t = new Thread(() -> traffic(listener, REQUESTS / 4), "training-client-" + c);
          t.start();
          clients.add(t);
        }
        for (var t : clients) {
          t.join();
        }
        for (var path : new String[] {"/stats", "/stats/prometheus", "/clusters", "/ready"}) {
          exchange(admin, "GET", path, new byte[0]);
        }
        exchange(admin, "POST", "/quitquitquit", new byte[0]);
        proxy.join(TimeUnit.SECONDS.toMillis(30));
      } finally {
        Files.deleteIfExists(bootstrap);
      }
    }
    System.exit(0);
  }

  private static String bootstrap(int admin, int listener, int upstream) {
    return """
        node: {id: aot-training, cluster: training}
        admin:
          address: {socket_address: {address: 127.0.0.1, port_value: %d}}
        static_resources:
          listeners:
          - name: training
            address: {socket_address: {address: 127.0.0.1, port_value: %d}}
            filter_chains:
            - filters:
              - name: envoy.filters.network.http_connection_manager
                typed_config:
                  "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                  stat_prefix: training
                  route_config:
                    virtual_hosts:
                    - name: all
                      domains: ["*"]
                      routes:
                      - match: {prefix: "/direct"}
                        direct_response: {status: 200, body: {inline_string: "ok"}}
                      - match: {prefix: "/"}
                        route: {cluster: echo, timeout: 5s, retry_policy: {retry_on: "5xx,unavailable", num_retries: 1}}
                  http_filters:
                  - name: envoy.filters.http.router
                    typed_config: {"@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router}
          clusters:
          - name: echo
            connect_timeout: 1s
            type: STATIC
            lb_policy: ROUND_ROBIN
            load_assignment:
              cluster_name: echo
              endpoints: [{lb_endpoints: [{endpoint: {address: {socket_address: {address: 127.0.0.1, port_value: %d}}}}]}]
        """.formatted(admin, listener, upstream);
  }

  private static void awaitReady(int admin, Thread proxy, StringWriter err) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (System.nanoTime() < deadline) {
      if (!proxy.isAlive()) {
        throw new IllegalStateException("the training proxy stopped before it was ready: " + err);
      }
      try {
        if (exchange(admin, "GET", "/ready", new byte[0]) == 200) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      }
      Thread.sleep(20);
    }
    throw new IllegalStateException("the training proxy was not ready within 120 s: " + err);
  }

  /** Keep-alive POSTs of 1 KB through the proxy's listener (and a few direct responses). */
  private static void traffic(int port, int n) {
    try (var s = new Socket()) {
      s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
      s.setSoTimeout(10_000);
      var in = new BufferedInputStream(s.getInputStream());
      var out = s.getOutputStream();
      for (int i = 0; i < n; i++) {
        boolean direct = i % 50 == 0;
        write(out, direct ? "GET" : "POST", direct ? "/direct" : "/echo/" + (i % 8), direct ? new byte[0] : BODY, true);
        readResponse(in);
      }
    } catch (IOException e) {
      throw new IllegalStateException("training traffic failed: " + e.getMessage(), e);
    }
  }

  /** One request on a new connection; returns the status. */
  private static int exchange(int port, String method, String path, byte[] body) throws IOException {
    try (var s = new Socket()) {
      s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
      s.setSoTimeout(10_000);
      write(s.getOutputStream(), method, path, body, false);
      return readResponse(new BufferedInputStream(s.getInputStream()));
    }
  }

  private static void write(OutputStream out, String method, String path, byte[] body, boolean keepAlive) throws IOException {
    var head = method + " " + path + " HTTP/1.1\r\nHost: training\r\nContent-Length: " + body.length + "\r\n"
        + (keepAlive ? "" : "Connection: close\r\n") + "\r\n";
    out.write(head.getBytes(StandardCharsets.US_ASCII));
    out.write(body);
    out.flush();
  }

  /** Reads one response (Content-Length or chunked body); returns its status. */
  private static int readResponse(InputStream in) throws IOException {
    var status = line(in);
    if (status.length() < 12) {
      throw new IOException("no response");
    }
    int code = Integer.parseInt(status.substring(9, 12));
    long length = -1;
    boolean chunked = false;
    for (var l = line(in); !l.isEmpty(); l = line(in)) {
      var lower = l.toLowerCase(java.util.Locale.ROOT);
      if (lower.startsWith("content-length:")) {
        length = Long.parseLong(lower.substring(15).strip());
      } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
        chunked = true;
      }
    }
    if (chunked) {
      for (long size = Long.parseLong(line(in).strip(), 16); size > 0; size = Long.parseLong(line(in).strip(), 16)) {
        in.skipNBytes(size);
        line(in);
      }
      while (!line(in).isEmpty()) {
        // trailers
      }
    } else if (length > 0) {
      in.skipNBytes(length);
    } else if (length < 0) {
      in.readAllBytes(); // close-delimited
    }
    return code;
  }

  private static String line(InputStream in) throws IOException {
    var sb = new StringBuilder();
    for (int c = in.read(); c != '\n'; c = in.read()) {
      if (c < 0) {
        throw new IOException("connection closed");
      }
      if (c != '\r') {
        sb.append((char) c);
      }
    }
    return sb.toString();
  }

  /** The echo upstream: answers each request with its body (keep-alive), one thread per connection. */
  private static void serve(ServerSocket server) {
    while (!server.isClosed()) {
      try {
        var s = server.accept();
        var t = new Thread(() -> echo(s), "training-echo");
        t.setDaemon(true);
        t.start();
      } catch (IOException e) {
        return;
      }
    }
  }

  private static void echo(Socket s) {
    try (s) {
      var in = new BufferedInputStream(s.getInputStream());
      var out = s.getOutputStream();
      while (true) {
        String request;
        try {
          request = line(in);
        } catch (IOException closed) {
          return;
        }
        long length = 0;
        for (var l = line(in); !l.isEmpty(); l = line(in)) {
          var lower = l.toLowerCase(java.util.Locale.ROOT);
          if (lower.startsWith("content-length:")) {
            length = Long.parseLong(lower.substring(15).strip());
          }
        }
        var body = in.readNBytes((int) length);
        var head = "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: " + body.length
            + "\r\nX-Request: " + request.length() + "\r\n\r\n";
        out.write(head.getBytes(StandardCharsets.US_ASCII));
        out.write(body);
        out.flush();
      }
    } catch (IOException e) {
      // connection gone
    }
  }

  private static int freePort() throws IOException {
    try (var s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
