package io.meshwork.proxy.it;

import static io.meshwork.proxy.it.ProxyHarness.http;
import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.testing.FakeUpstream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Upstream connection behaviour: pooled connections closed after the cluster's idle timeout (HTTP/1.1
 * and HTTP/2), a connect that never completes answered 503 UF after connect_timeout, and source-IP
 * hashing keeping each client address on one host.
 */
class UpstreamConnectionsIntegrationTest {
  @RegisterExtension static FakeUpstream a = FakeUpstream.named("a");
  @RegisterExtension static FakeUpstream b = FakeUpstream.named("b");
  @RegisterExtension static FakeUpstream c = FakeUpstream.named("c");
  static ScriptedH2Upstream h2;
  static ProxyHarness proxy;
  /** A listening socket whose accept queue is full: SYNs to it are dropped, so connects hang. */
  static ServerSocket blackhole;
  static final List<Socket> fillers = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    h2 = new ScriptedH2Upstream();
    blackhole = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
    // Never accepted: once the accept queue (backlog + 1 on Linux) is full, the kernel drops new SYNs.
    for (int i = 0; i < 16; i++) {
      var s = new Socket();
      try {
        s.connect(blackhole.getLocalSocketAddress(), 500);
        fillers.add(s);
      } catch (SocketTimeoutException full) {
        s.close();
        break;
      }
    }
    proxy = ProxyHarness.start(http("""
        virtual_hosts:
        - name: all
          domains: ["*"]
          routes:
          - match: {prefix: "/idle-h1/"}
            route: {cluster: idle-h1}
          - match: {prefix: "/idle-h2/"}
            route: {cluster: idle-h2}
          - match: {prefix: "/blackhole/"}
            route: {cluster: blackhole}
          - match: {prefix: "/source/"}
            route: {cluster: ring, hash_policy: [{connection_properties: {source_ip: true}}]}
        """, """
        - name: idle-h1
          connect_timeout: 1s
          common_http_protocol_options: {idle_timeout: 0.3s}
          load_assignment:
            cluster_name: idle-h1
            endpoints: [{lb_endpoints: [{endpoint: {address: {socket_address: {address: 127.0.0.1, port_value: ${a}}}}}]}]
        - name: idle-h2
          connect_timeout: 1s
          common_http_protocol_options: {idle_timeout: 0.3s}
          typed_extension_protocol_options:
            envoy.extensions.upstreams.http.v3.HttpProtocolOptions:
              "@type": type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions
              explicit_http_config: {http2_protocol_options: {}}
          load_assignment:
            cluster_name: idle-h2
            endpoints: [{lb_endpoints: [{endpoint: {address: {socket_address: {address: 127.0.0.1, port_value: H2PORT}}}}]}]
        - name: blackhole
          connect_timeout: 0.25s
          load_assignment:
            cluster_name: blackhole
            endpoints: [{lb_endpoints: [{endpoint: {address: {socket_address: {address: 127.0.0.1, port_value: HOLEPORT}}}}]}]
        - name: ring
          connect_timeout: 1s
          lb_policy: RING_HASH
          load_assignment:
            cluster_name: ring
            endpoints:
            - lb_endpoints:
              - endpoint: {address: {socket_address: {address: 127.0.0.1, port_value: ${a}}}}
              - endpoint: {address: {socket_address: {address: 127.0.0.1, port_value: ${b}}}}
              - endpoint: {address: {socket_address: {address: 127.0.0.1, port_value: ${c}}}}
        """.replace("H2PORT", Integer.toString(h2.port()))
        .replace("HOLEPORT", Integer.toString(blackhole.getLocalPort()))), a, b, c);
  }

  @AfterAll
  static void stop() throws Exception {
    proxy.close();
    h2.close();
    for (var s : fillers) {
      s.close();
    }
    blackhole.close();
  }

  @Test
  void anIdleHttp11UpstreamConnectionIsClosedAfterTheIdleTimeout() throws Exception {
    try (var client = proxy.client()) {
      assertThat(client.get("x", "/idle-h1/1").status()).isEqualTo(200);
      ProxyHarness.await(() -> proxy.stat("cluster.idle-h1.upstream_cx_idle_timeout") == 1);
      assertThat(proxy.stat("cluster.idle-h1.upstream_cx_idle_timeout")).isEqualTo(1);
      assertThat(client.get("x", "/idle-h1/2").status()).isEqualTo(200);
    }
    assertThat(a.connections()).as("the second request needed a new connection").isEqualTo(2);
  }

  @Test
  void anIdleHttp2UpstreamConnectionIsClosedAfterTheIdleTimeout() throws Exception {
    int before = h2.connections.get();
    try (var client = proxy.client()) {
      assertThat(client.get("x", "/idle-h2/1").status()).isEqualTo(200);
      ProxyHarness.await(() -> h2.openConnections.get() == 0);
      assertThat(h2.openConnections.get()).as("closed by the proxy once idle").isZero();
      assertThat(proxy.stat("cluster.idle-h2.upstream_cx_idle_timeout")).isEqualTo(1);
      var res = client.get("x", "/idle-h2/2");
      assertThat(res.status()).isEqualTo(200);
      assertThat(res.body()).isEqualTo("h2:/idle-h2/2");
    }
    assertThat(h2.connections.get() - before).isEqualTo(2);
  }

  @Test
  void aConnectThatNeverCompletesIs503UfAfterTheConnectTimeout() throws Exception {
    assertThat(fillers).as("the blackhole's accept queue was filled").isNotEmpty();
    try (var client = proxy.client()) {
      var res = client.get("x", "/blackhole/1");
      assertThat(res.status()).isEqualTo(503);
      assertThat(res.body()).contains("reset reason: connection failure");
    }
    assertThat(proxy.stat("cluster.blackhole.upstream_cx_connect_timeout")).isEqualTo(1);
    assertThat(proxy.stat("cluster.blackhole.upstream_cx_connect_fail")).isEqualTo(1);
    var line = proxy.awaitLogLine("\"GET /blackhole/1 ");
    assertThat(line).isNotNull().contains(" 503 UF ");
  }

  @Test
  void sourceIpHashingKeepsEachClientAddressOnOneHost() throws Exception {
    var servedBy = new java.util.HashMap<String, String>();
    for (int last = 2; last <= 9; last++) {
      var source = InetAddress.getByName("127.0.0." + last);
      var seen = new HashSet<String>();
      for (int i = 0; i < 4; i++) {
        try (var client = new RawClient(proxy.port("http"), source)) { // a new connection (and port) each time
          var res = client.get("x", "/source/" + i);
          assertThat(res.status()).isEqualTo(200);
          seen.add(res.body());
        }
      }
      assertThat(seen).as("requests from " + source + " all reach one host").hasSize(1);
      servedBy.put(source.getHostAddress(), seen.iterator().next());
    }
    assertThat(servedBy.get("127.0.0.2")).isNotNull();
    assertThat(servedBy.get("127.0.0.3")).isNotNull();
    assertThat(new HashSet<>(servedBy.values())).as("8 addresses spread over the 3 hosts: " + servedBy).hasSizeGreaterThan(1);
  }
}
