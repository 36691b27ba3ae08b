package io.meshwork.proxy.it;

import io.meshwork.proxy.ProxyServer;
import io.meshwork.proxy.config.ProxyConfigBuilder;
import io.meshwork.testing.FakeUpstream;
import io.meshwork.xds.bootstrap.BootstrapLoader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * Two sidecars over real loopback sockets, wired the way Istio wires them: the client's proxy A
 * ({@code productpage-v1}, OUTBOUND listeners to {@code outbound|9080||reviews...} and
 * {@code outbound|6379||redis...}) and the server's proxy B ({@code reviews-v1}, INBOUND listeners
 * to {@code inbound|9080||} in front of the app and {@code inbound|6379||} in front of a TCP echo
 * server). Both know their workload from the bootstrap's node metadata; A's redis endpoint carries
 * Istio's EDS workload metadata ({@code filter_metadata.istio.workload}).
 */
final class MeshPair implements AutoCloseable {
  final FakeUpstream app;
  final Echo echo;
  final ProxyServer b;
  final ProxyServer a;

  private MeshPair(FakeUpstream app, Echo echo, ProxyServer b, ProxyServer a) {
    this.app = app;
    this.echo = echo;
    this.b = b;
    this.a = a;
  }

  static MeshPair start(String inboundStatsFilter) throws Exception {
    var app = FakeUpstream.named("reviews-app").start();
    var echo = Echo.start();
    var out = new PrintStream(new ByteArrayOutputStream(), true);
    var b = ProxyServer.start(ProxyConfigBuilder.fromBootstrap(BootstrapLoader.parse("b.yaml",
        serverYaml(app.port(), echo.port(), inboundStatsFilter)), 1), 2, out);
    var a = ProxyServer.start(ProxyConfigBuilder.fromBootstrap(BootstrapLoader.parse("a.yaml",
        clientYaml(b.listenerPort("inbound_http"), b.listenerPort("inbound_tcp"))), 1), 2, out);
    return new MeshPair(app, echo, b, a);
  }

  int httpPort() {
    return a.listenerPort("outbound_http");
  }

  int tcpPort() {
    return a.listenerPort("outbound_tcp");
  }

  static String node(String pod, String workload, String sa, String app, String version) {
    return """
        node:
          id: sidecar~127.0.0.1~%s.default~default.svc.cluster.local
          cluster: %s.default
          metadata:
            NAME: %s
            NAMESPACE: default
            WORKLOAD_NAME: %s
            SERVICE_ACCOUNT: %s
            CLUSTER_ID: Kubernetes
            LABELS: {app: %s, version: %s}
        admin:
          address: {socket_address: {address: 127.0.0.1, port_value: 0}}
        """.formatted(pod, workload, pod, workload, sa, app, version);
  }

  static String hcm(String prefix, String cluster, String extraFilters) {
    return """
              - name: envoy.filters.network.http_connection_manager
                typed_config:
                  "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                  stat_prefix: %s
                  route_config:
                    virtual_hosts:
                    - name: all
                      domains: ["*"]
                      routes:
                      - match: {prefix: "/"}
                        route: {cluster: "%s"}
                  http_filters:
        %s
                  - name: envoy.filters.http.router
                    typed_config: {"@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router}
        """.formatted(prefix, cluster, extraFilters);
  }

  static String tcp(String prefix, String cluster) {
    return """
              - name: envoy.filters.network.tcp_proxy
                typed_config:
                  "@type": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy
                  stat_prefix: %s
                  cluster: "%s"
        """.formatted(prefix, cluster);
  }

  static String serverYaml(int appPort, int echoPort, String statsFilter) {
    return node("reviews-v1-7f9b", "reviews-v1", "bookinfo-reviews", "reviews", "v1") + """
        static_resources:
          listeners:
          - name: inbound_http
            address: {socket_address: {address: 127.0.0.1, port_value: 0}}
            traffic_direction: INBOUND
            filter_chains:
            - filters:
        %s
          - name: inbound_tcp
            address: {socket_address: {address: 127.0.0.1, port_value: 0}}
            traffic_direction: INBOUND
            filter_chains:
            - filters:
        %s
          clusters:
          - name: "inbound|9080||"
            connect_timeout: 1s
            type: STATIC
            load_assignment:
              cluster_name: "inbound|9080||"
              endpoints:
              - lb_endpoints:
                - endpoint: {address: {socket_address: {address: 127.0.0.1, port_value: %d}}}
          - name: "inbound|6379||"
            connect_timeout: 1s
            type: STATIC
            load_assignment:
              cluster_name: "inbound|6379||"
              endpoints:
              - lb_endpoints:
                - endpoint: {address: {socket_address: {address: 127.0.0.1, port_value: %d}}}
        """.formatted(hcm("inbound_0.0.0.0_9080", "inbound|9080||", statsFilter == null ? "" : statsFilter),
        tcp("inbound|6379||", "inbound|6379||"), appPort, echoPort);
  }

  static String clientYaml(int reviewsPort, int redisPort) {
    return node("productpage-v1-5d8c", "productpage-v1", "bookinfo-productpage", "productpage", "v1") + """
        static_resources:
          listeners:
          - name: outbound_http
            address: {socket_address: {address: 127.0.0.1, port_value: 0}}
            traffic_direction: OUTBOUND
            filter_chains:
            - filters:
        %s
          - name: outbound_tcp
            address: {socket_address: {address: 127.0.0.1, port_value: 0}}
            traffic_direction: OUTBOUND
            filter_chains:
            - filters:
        %s
          clusters:
          - name: "outbound|9080||reviews.default.svc.cluster.local"
            connect_timeout: 1s
            type: STATIC
            load_assignment:
              cluster_name: "outbound|9080||reviews.default.svc.cluster.local"
              endpoints:
              - lb_endpoints:
                - endpoint: {address: {socket_address: {address: 127.0.0.1, port_value: %d}}}
          - name: "outbound|6379||redis.default.svc.cluster.local"
            connect_timeout: 1s
            type: STATIC
            load_assignment:
              cluster_name: "outbound|6379||redis.default.svc.cluster.local"
              endpoints:
              - lb_endpoints:
                - endpoint: {address: {socket_address: {address: 127.0.0.1, port_value: %d}}}
                  metadata:
                    filter_metadata:
                      istio: {workload: "redis-v7;default;redis;v7;Kubernetes"}
        """.formatted(hcm("outbound_0.0.0.0_9080", "outbound|9080||reviews.default.svc.cluster.local", ""),
        tcp("outbound|6379||redis.default.svc.cluster.local", "outbound|6379||redis.default.svc.cluster.local"),
        reviewsPort, redisPort);
  }

  /** One request/response exchange over the TCP path: writes {@code text}, reads the echo back. */
  String tcpRoundTrip(String text) throws IOException {
    try (var s = new Socket(InetAddress.getLoopbackAddress(), tcpPort())) {
      s.setSoTimeout(5000);
      s.getOutputStream().write(text.getBytes());
      s.getOutputStream().flush();
      var buf = new byte[text.length()];
      int n = 0;
      while (n < buf.length) {
        int r = s.getInputStream().read(buf, n, buf.length - n);
        if (r < 0) {
          break;
        }
        n += r;
      }
      return new String(buf, 0, n);
    }
  }

  @Override
  public void close() throws Exception {
    a.close();
    b.close();
    echo.close();
    app.close();
  }

  /** A TCP echo server on a loopback port (one platform thread per connection). */
  static final class Echo implements AutoCloseable {
    private final ServerSocket server;

    private Echo(ServerSocket server) {
      this.server = server;
    }

    static Echo start() throws IOException {
      var echo = new Echo(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()));
      Thread.ofPlatform().daemon().name("echo-accept").start(echo::accept);
      return echo;
    }

    int port() {
      return server.getLocalPort();
    }

    private void accept() {
      while (!server.isClosed()) {
        try {
          var s = server.accept();
          Thread.ofPlatform().daemon().name("echo").start(() -> echo(s));
        } catch (IOException e) {
          return;
        }
      }
    }

    private static void echo(Socket s) {
      try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
        var buf = new byte[4096];
        int n;
        while ((n = in.read(buf)) > 0) {
          out.write(buf, 0, n);
          out.flush();
        }
      } catch (IOException ignored) {
        // the proxy closed the connection
      }
    }

    @Override
    public void close() throws IOException {
      server.close();
    }
  }
}
