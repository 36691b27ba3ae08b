package io.meshwork.proxy.xds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshwork.proxy.ProxyServer;
import io.meshwork.proxy.ProxyStartException;
import io.meshwork.proxy.config.ProxyConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Where the Prometheus endpoint goes by default, and what a taken port says. */
class PrometheusPortTest {
  @Test
  void istiosPortNextToIstiosAdminPortElseEphemeral() {
    var ip = new InetSocketAddress("127.0.0.7", 15000);
    assertThat(XdsProxy.defaultPrometheus(ip)).isEqualTo(new InetSocketAddress("127.0.0.7", 15090));
    assertThat(XdsProxy.defaultPrometheus(new InetSocketAddress("127.0.0.1", 16000)).getPort()).isZero();
    assertThat(XdsProxy.defaultPrometheus(new InetSocketAddress("127.0.0.1", 0)).getPort()).isZero();
    assertThat(XdsProxy.defaultPrometheus(null)).isNull();
  }

  @Test
  void aTakenPortIsOneClearError() throws Exception {
    try (var taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
        var server = ProxyServer.start(new ProxyConfig(0, "n", null, List.of(), Map.of(), Map.of()), 1,
            new PrintStream(new ByteArrayOutputStream()))) {
      assertThatThrownBy(() -> server.bindPrometheus(new InetSocketAddress("127.0.0.1", taken.getLocalPort())))
          .isInstanceOf(ProxyStartException.class)
          .hasMessageStartingWith("Prometheus endpoint: cannot bind 127.0.0.1:" + taken.getLocalPort())
          .hasMessageContaining("--prometheus-port");
      assertThat(server.prometheusPort()).isEqualTo(-1);
    }
  }
}
