package io.meshwork.console.control;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.config.codec.ConfigLoader;
import io.meshwork.console.ConsoleOptions;
import io.meshwork.console.ConsoleServer;
import io.meshwork.console.MutableClock;
import io.meshwork.console.graph.FakeProxy;
import io.meshwork.control.ControlPlane;
import io.meshwork.control.store.ConfigStore;
import io.meshwork.proxy.xds.XdsProxy;
import io.meshwork.testing.FakeUpstream;
import io.meshwork.xds.client.NodeInfo;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A small live mesh for console tests: a control plane (REST and xDS on free ports) holding the
 * {@code vote} service with two versions (fake upstreams answering "v1" / "v2"), a proxy connected
 * to it as workload {@code vote-v1} with its admin on a free port and an upstream bind for
 * {@code vote:8080}, a fake proxy exposing the voting-app's Istio metrics, and a console started
 * with {@code --control-plane}. The console's clock is driven by the test, scrapes are explicit.
 */
public final class MeshFixture implements AutoCloseable {
  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  static final String MESH = """
      apiVersion: v1
      kind: Service
      metadata: {name: vote, namespace: default}
      spec:
        selector: {app: vote}
        ports:
        - {name: http, port: 8080}
      ---
      apiVersion: networking.istio.io/v1
      kind: WorkloadEntry
      metadata: {name: vote-v1, namespace: default}
      spec:
        address: 127.0.0.1
        labels: {app: vote, version: v1}
        ports: {http: %d}
      ---
      apiVersion: networking.istio.io/v1
      kind: WorkloadEntry
      metadata: {name: vote-v2, namespace: default}
      spec:
        address: 127.0.0.1
        labels: {app: vote, version: v2}
        ports: {http: %d}
      ---
      apiVersion: networking.istio.io/v1
      kind: DestinationRule
      metadata: {name: vote, namespace: default}
      spec:
        host: vote
        trafficPolicy:
          connectionPool:
            tcp: {maxConnections: 100}
        subsets:
        - {name: v1, labels: {version: v1}}
        - {name: v2, labels: {version: v2}}
      ---
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: vote, namespace: default}
      spec:
        hosts: [vote]
        http:
        - timeout: 5s
          route:
          - destination: {host: vote, subset: v1}
      ---
      apiVersion: networking.istio.io/v1
      kind: ServiceEntry
      metadata: {name: example-api, namespace: default}
      spec:
        hosts: [api.example.com]
        location: MESH_EXTERNAL
        resolution: STATIC
        endpoints:
        - {address: 127.0.0.1}
        ports:
        - {name: http, number: 80, protocol: HTTP}
      """;

  public final FakeUpstream v1;
  public final FakeUpstream v2;
  public final ControlPlane cp;
  public final XdsProxy proxy;
  public final FakeProxy metrics;
  public final ConsoleServer console;
  final MutableClock clock = new MutableClock(T0.minusSeconds(10));
  public final int bindPort;
  public final String api;
  final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

  public MeshFixture() throws Exception {
    v1 = FakeUpstream.named("v1").start();
    v2 = FakeUpstream.named("v2").start();
    var o = ControlPlane.Options.defaults().withPorts(0, 0).withGrace(Duration.ofMillis(300));
    cp = ControlPlane.start(new ControlPlane.Options(o.configDir(), "127.0.0.1", 0, 0, o.registrationGrace(), Duration.ofMillis(20), true));
    var result = cp.store().apply(ConfigStore.API, ConfigLoader.create().loadText("mesh.yaml", MESH.formatted(v1.port(), v2.port())));
    assertThat(result.errors()).isEmpty();
    try (var s = new ServerSocket(0)) {
      bindPort = s.getLocalPort();
    }
    // Labelled app=loadgen so that its auto-registered WorkloadEntry is not an endpoint of vote.
    var node = NodeInfo.sidecar("vote-v1", "default", Map.of("app", "loadgen"), "127.0.0.1", Map.of())
        .withUpstreamBinds(Map.of("vote:8080", "127.0.0.1:" + bindPort));
    var quiet = new PrintStream(java.io.OutputStream.nullOutputStream());
    proxy = XdsProxy.start("127.0.0.1:" + cp.xdsPort(), node, new InetSocketAddress("127.0.0.1", 0), 1, quiet, System.err);
    assertThat(proxy.awaitFirstConfig(Duration.ofSeconds(20))).as("first config from the control plane").isTrue();
    metrics = FakeProxy.votingApp();
    var opts = ConsoleOptions.defaults().ephemeral().withTargets(List.of(metrics.target())).withScrapeInterval(Duration.ZERO)
        .withControlPlane(URI.create("http://127.0.0.1:" + cp.restPort()));
    console = ConsoleServer.start(opts, clock);
    api = "http://127.0.0.1:" + console.uiPort() + "/api";
  }

  /** Two scrapes 10 s apart, so the graph has rates. */
  public void scrapeTwice() {
    console.metrics().scraper().scrapeOnce();
    metrics.advance(10);
    clock.set(T0);
    console.metrics().scraper().scrapeOnce();
  }

  public int adminPort() {
    return proxy.server().adminPort();
  }

  /** One request through the proxy's bind for vote:8080; the body is the answering version. */
  public String callVote() throws Exception {
    var r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + bindPort + "/")).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
    return r.statusCode() + " " + r.body();
  }

  @Override
  public void close() throws Exception {
    console.close();
    metrics.close();
    proxy.close();
    cp.close();
    v1.close();
    v2.close();
  }
}
