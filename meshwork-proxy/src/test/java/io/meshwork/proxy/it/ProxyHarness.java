package io.meshwork.proxy.it;

import io.meshwork.proxy.ProxyServer;
import io.meshwork.proxy.config.ProxyConfigBuilder;
import io.meshwork.testing.FakeUpstream;
import io.meshwork.xds.bootstrap.BootstrapLoader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * Starts a proxy in-process from bootstrap YAML. Placeholders {@code ${name}} are replaced by the
 * port of the {@link FakeUpstream} with that name; listeners and admin use port 0. Access log lines
 * written to stdout are captured for assertions.
 */
final class ProxyHarness implements AutoCloseable {
  private final ProxyServer server;
  private final ByteArrayOutputStream log = new ByteArrayOutputStream();

  private ProxyHarness(String yaml, int eventLoops) throws Exception {
    var bootstrap = BootstrapLoader.parse("test.yaml", yaml);
    var config = ProxyConfigBuilder.fromBootstrap(bootstrap, 1);
    server = ProxyServer.start(config, eventLoops, new PrintStream(log, true, StandardCharsets.UTF_8));
  }

  static ProxyHarness start(String yaml, FakeUpstream... upstreams) throws Exception {
    return start(2, yaml, upstreams);
  }

  /** With one event loop every client shares one upstream pool (tests of per-pool behaviour). */
  static ProxyHarness start(int eventLoops, String yaml, FakeUpstream... upstreams) throws Exception {
    var text = yaml;
    for (var u : upstreams) {
      text = text.replace("${" + u.name() + "}", Integer.toString(u.port()));
    }
    return new ProxyHarness(text, eventLoops);
  }

  ProxyServer server() {
    return server;
  }

  int port(String listener) {
    return server.listenerPort(listener);
  }

  RawClient client() throws java.io.IOException {
    return new RawClient(port("http"));
  }

  long stat(String name) {
    return server.stats().value(name);
  }

  /** Access log lines written so far. */
  List<String> logLines() {
    synchronized (log) {
      return Arrays.stream(log.toString(StandardCharsets.UTF_8).split("\n")).filter(s -> !s.isEmpty()).toList();
    }
  }

  /**
   * Asserts that nothing of this proxy accepts on {@code port} any more. The port may already have
   * been taken by another process (ports are reused quickly), so a successful connect is accepted as
   * long as this proxy did not count a new downstream connection.
   */
  void assertNotListening(int port, String cxStat) throws Exception {
    long before = stat(cxStat);
    try (var s = new java.net.Socket("127.0.0.1", port)) {
      Thread.sleep(200); // give an accepting proxy time to count the connection
    } catch (java.net.ConnectException expected) {
      return;
    }
    org.assertj.core.api.Assertions.assertThat(stat(cxStat)).as("connections accepted after removal").isEqualTo(before);
  }

  /** Waits (up to 5 s) until {@code condition} holds; asynchronous effects (logs, counters) need this. */
  static void await(BooleanSupplier condition) throws InterruptedException {
    for (int i = 0; i < 500 && !condition.getAsBoolean(); i++) {
      Thread.sleep(10);
    }
  }

  /**
   * The first access log line containing {@code fragment} (e.g. {@code "GET /timeout "}), waiting
   * for it to be written. Lines are written asynchronously, so tests identify theirs by content.
   */
  String awaitLogLine(String fragment) throws InterruptedException {
    await(() -> logLines().stream().anyMatch(l -> l.contains(fragment)));
    return logLines().stream().filter(l -> l.contains(fragment)).findFirst().orElse(null);
  }

  /** The line at {@code index}, waiting for it to be written. */
  String awaitLogLine(int index) throws InterruptedException {
    await(() -> logLines().size() > index);
    var lines = logLines();
    return lines.size() > index ? lines.get(index) : null;
  }

  @Override
  public void close() {
    server.close();
  }

  /** A bootstrap with one HTTP listener named "http" on port 0, the given route_config and clusters. */
  static String http(String routeConfig, String clusters) {
    return """
        node: {id: test-proxy, cluster: test}
        admin:
          address: {socket_address: {address: 127.0.0.1, port_value: 0}}
        static_resources:
          listeners:
          - name: http
            address: {socket_address: {address: 127.0.0.1, port_value: 0}}
            filter_chains:
            - filters:
              - name: envoy.filters.network.http_connection_manager
                typed_config:
                  "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                  stat_prefix: ingress
                  access_log:
                  - name: envoy.access_loggers.stdout
                    typed_config: {"@type": type.googleapis.com/envoy.extensions.access_loggers.stream.v3.StdoutAccessLog}
                  route_config:
        %s
                  http_filters:
                  - name: envoy.filters.http.router
                    typed_config: {"@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router}
          clusters:
        %s
        """.formatted(indent(routeConfig, 12), indent(clusters, 2));
  }

  /** A STATIC cluster over the given fake upstreams' ports (placeholders). */
  static String cluster(String name, String lb, String... upstreamNames) {
    var sb = new StringBuilder();
    sb.append("- name: ").append(name).append("\n  connect_timeout: 1s\n  type: STATIC\n  lb_policy: ").append(lb)
        .append("\n  load_assignment:\n    cluster_name: ").append(name).append("\n    endpoints:\n    - lb_endpoints:");
    sb.append(upstreamNames.length == 0 ? " []\n" : "\n");
    for (var u : upstreamNames) {
      sb.append("      - endpoint: {address: {socket_address: {address: 127.0.0.1, port_value: ${").append(u)
          .append("}}}}\n");
    }
    return sb.toString();
  }

  private static String indent(String s, int n) {
    var pad = " ".repeat(n);
    return String.join("\n", s.lines().map(l -> pad + l).toList());
  }

  static Map<String, String> headers(String... kv) {
    var m = new java.util.LinkedHashMap<String, String>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put(kv[i], kv[i + 1]);
    }
    return m;
  }
}
