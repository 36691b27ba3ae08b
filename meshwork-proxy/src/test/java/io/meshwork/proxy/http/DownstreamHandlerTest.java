package io.meshwork.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.proxy.accesslog.AccessLogWriter;
import io.meshwork.proxy.config.ProxyConfigBuilder;
import io.meshwork.proxy.runtime.SnapshotHolder;
import io.meshwork.proxy.stats.Stats;
import io.meshwork.proxy.transport.Transport;
import io.meshwork.testing.LeakDetectionExtension;
import io.meshwork.xds.bootstrap.BootstrapLoader;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelOption;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseEncoder;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The downstream pipeline on an EmbeddedChannel, for exchanges answered without an upstream. */
@ExtendWith(LeakDetectionExtension.class)
class DownstreamHandlerTest {
  static final String BOOTSTRAP = """
      static_resources:
        listeners:
        - name: l
          address: {socket_address: {address: 127.0.0.1, port_value: 0}}
          filter_chains:
          - filters:
            - name: hcm
              typed_config:
                "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                stat_prefix: in
                route_config:
                  virtual_hosts:
                  - name: v
                    domains: ["known.example"]
                    routes:
                    - match: {path: /ping}
                      direct_response: {status: 200, body: {inline_string: pong}}
                http_filters:
                - {name: envoy.filters.http.router, typed_config: {"@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router}}
      """;

  private static String exchange(Stats stats, String raw) throws Exception {
    var holder = new SnapshotHolder(stats);
    holder.update(ProxyConfigBuilder.fromBootstrap(BootstrapLoader.parse("b.yaml", BOOTSTRAP), 1));
    try (var log = new AccessLogWriter(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8))) {
      var services = new HttpServices(holder, new PoolRegistry(Transport.NIO), log, new io.meshwork.proxy.tls.TlsContexts());
      var ch = new EmbeddedChannel();
      ch.config().setOption(ChannelOption.AUTO_READ, false);
      ch.pipeline().addLast(new Http1RequestDecoder(4096, 8192), new HttpResponseEncoder(),
          new HttpObjectAggregator(1 << 16), new DownstreamHandler("l", services, "HTTP/1.1"));
      ch.pipeline().fireChannelActive();
      ch.writeInbound(Unpooled.copiedBuffer(raw, StandardCharsets.ISO_8859_1));
      var sb = new StringBuilder();
      ByteBuf b;
      while ((b = ch.readOutbound()) != null) {
        sb.append(b.toString(StandardCharsets.ISO_8859_1));
        b.release();
      }
      ch.finishAndReleaseAll();
      return sb.toString();
    }
  }

  @Test
  void directResponseAndNoRouteAreAnsweredLocallyInOrder() throws Exception {
    var stats = new Stats();
    var out = exchange(stats, "GET /ping HTTP/1.1\r\nHost: known.example\r\n\r\n"
        + "GET /ping HTTP/1.1\r\nHost: unknown.example\r\n\r\n");
    assertThat(out).startsWith("HTTP/1.1 200 OK\r\n");
    assertThat(out).contains("\r\n\r\npong");
    assertThat(out.indexOf("HTTP/1.1 404 Not Found\r\n")).isGreaterThan(out.indexOf("pong"));
    assertThat(stats.value("http.in.downstream_rq_total")).isEqualTo(2);
    assertThat(stats.value("http.in.no_route")).isEqualTo(1);
    assertThat(stats.value("http.in.rq_direct_response")).isEqualTo(1);
  }

  @Test
  void badRequestIsAnswered400WithConnectionClose() throws Exception {
    var stats = new Stats();
    var out = exchange(stats, "GET / HTTP/1.1\r\nHost: known.example\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n");
    assertThat(out).startsWith("HTTP/1.1 400 Bad Request\r\n").containsIgnoringCase("connection: close");
    assertThat(stats.value("http.in.downstream_cx_protocol_error")).isEqualTo(1);
  }
}
