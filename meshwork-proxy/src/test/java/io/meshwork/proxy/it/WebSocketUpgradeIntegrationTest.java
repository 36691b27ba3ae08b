package io.meshwork.proxy.it;

import static io.meshwork.proxy.it.ProxyHarness.http;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * WebSocket-style upgrades: with {@code upgrade_configs: [{upgrade_type: websocket}]} the 101 is
 * relayed and the connection becomes an opaque tunnel both ways; without it the upgrade is refused.
 * The upstream here is a tiny socket server that answers 101 and then echoes bytes upper-cased.
 */
class WebSocketUpgradeIntegrationTest {
  private ServerSocket upstream;
  private final AtomicReference<String> seenRequest = new AtomicReference<>();

  @BeforeEach
  void startUpstream() throws IOException {
    upstream = new ServerSocket(0);
    Thread.ofPlatform().daemon().start(() -> {
      while (!upstream.isClosed()) {
        try {
          var s = upstream.accept();
          Thread.ofPlatform().daemon().start(() -> serve(s));
        } catch (IOException e) {
          return;
        }
      }
    });
  }

  private void serve(Socket s) {
    try (s) {
      var in = s.getInputStream();
      var head = new ByteArrayOutputStream();
      while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
        int b = in.read();
        if (b < 0) {
          return;
        }
        head.write(b);
      }
      seenRequest.set(head.toString(StandardCharsets.ISO_8859_1));
      var out = s.getOutputStream();
      out.write("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"
          .getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      var buf = new byte[1024];
      int n;
      while ((n = in.read(buf)) > 0) {
        out.write(new String(buf, 0, n, StandardCharsets.ISO_8859_1).toUpperCase(Locale.ROOT).getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
      }
    } catch (IOException ignored) {
      // the test closed the connection
    }
  }

  @AfterEach
  void stopUpstream() throws IOException {
    upstream.close();
  }

  private String bootstrap(boolean enableWebsocket) {
    var yaml = http("""
        virtual_hosts:
        - name: all
          domains: ["*"]
          routes:
          - match: {prefix: "/"}
            route: {cluster: ws}
        """, """
        - name: ws
          connect_timeout: 1s
          load_assignment:
            cluster_name: ws
            endpoints: [{lb_endpoints: [{endpoint: {address: {socket_address: {address: 127.0.0.1, port_value: %d}}}}]}]
        """.formatted(upstream.getLocalPort()));
    return enableWebsocket ? yaml.replace("stat_prefix: ingress", "stat_prefix: ingress\n          upgrade_configs: [{upgrade_type: websocket}]") : yaml;
  }

  private static final String UPGRADE = "GET /chat HTTP/1.1\r\nHost: chat.example\r\nUpgrade: websocket\r\n"
      + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";

  @Test
  void upgradeIsRelayedAndBytesFlowBothWays() throws Exception {
    try (var proxy = ProxyHarness.start(bootstrap(true)); var c = proxy.client()) {
      c.write(UPGRADE);
      var res = c.read(true);
      assertThat(res.status()).isEqualTo(101);
      assertThat(res.header("upgrade")).isEqualTo("websocket");
      assertThat(seenRequest.get()).containsIgnoringCase("upgrade: websocket").containsIgnoringCase("connection: upgrade")
          .contains("Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==");
      for (var word : new String[] {"hello", "tunnel", "bytes"}) {
        c.write(word);
        var got = new byte[word.length()];
        var in = c.rawInput();
        int off = 0;
        while (off < got.length) {
          off += in.read(got, off, got.length - off);
        }
        assertThat(new String(got, StandardCharsets.ISO_8859_1)).isEqualTo(word.toUpperCase(Locale.ROOT));
      }
      assertThat(proxy.awaitLogLine("\"GET /chat HTTP/1.1\" 101 ")).isNotNull();
    }
  }

  @Test
  void upgradeWithoutUpgradeConfigsIsRefused() throws Exception {
    try (var proxy = ProxyHarness.start(bootstrap(false)); var c = proxy.client()) {
      c.write(UPGRADE);
      assertThat(c.read().status()).isEqualTo(403);
      assertThat(seenRequest.get()).isNull();
    }
  }
}
