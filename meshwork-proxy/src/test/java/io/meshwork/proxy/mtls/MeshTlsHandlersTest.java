package io.meshwork.proxy.mtls;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.proxy.config.TlsConfig;
import io.meshwork.proxy.config.UpstreamTlsConfig;
import io.meshwork.proxy.tls.TlsContexts;
import io.meshwork.proxy.transport.PeerIdentity;
import io.meshwork.security.agent.CsrBuilder;
import io.meshwork.security.agent.WorkloadCredentials;
import io.meshwork.security.ca.CaOptions;
import io.meshwork.security.ca.CertificateAuthority;
import io.meshwork.security.identity.SpiffeId;
import io.meshwork.security.pki.KeyAlgorithm;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslHandler;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The TLS layer between two proxies over real sockets, with certificates from Meshwork's CA in the
 * agents' secret stores: the server publishes the client's {@link PeerIdentity} (the contract
 * authorization and telemetry read), ALPN negotiates Istio's {@code istio-peer-exchange}, the
 * client refuses a server with another identity and PERMISSIVE also serves plaintext.
 */
class MeshTlsHandlersTest {
  static final String SERVER = "spiffe://cluster.local/ns/default/sa/reviews";
  static final String CLIENT = "spiffe://cluster.local/ns/default/sa/productpage";

  @TempDir Path dir;
  MultiThreadIoEventLoopGroup group;
  CertificateAuthority ca;
  TlsContexts serverContexts;
  TlsContexts clientContexts;
  Channel server;
  final CompletableFuture<PeerIdentity> seen = new CompletableFuture<>();
  final CompletableFuture<String> serverAlpn = new CompletableFuture<>();

  WorkloadCredentials creds(SpiffeId id) {
    var keys = KeyAlgorithm.EC_P256.generate();
    var issued = ca.sign(CsrBuilder.build(keys, id), id, Duration.ofHours(1));
    return new WorkloadCredentials(keys.getPrivate(), issued.chain(), List.of(issued.root()));
  }

  @BeforeEach
  void setUp() throws Exception {
    group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    ca = CertificateAuthority.selfSigned(dir.resolve("ca"), CaOptions.defaults(), Clock.systemUTC());
    serverContexts = new TlsContexts();
    var s = new SecretStore();
    s.update(creds(SpiffeId.of("default", "reviews")));
    serverContexts.secrets(s);
    clientContexts = new TlsContexts();
    var c = new SecretStore();
    c.update(creds(SpiffeId.of("default", "productpage")));
    clientContexts.secrets(c);
  }

  @AfterEach
  void tearDown() {
    if (server != null) {
      server.close().syncUninterruptibly();
    }
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  void startServer(boolean permissive) throws InterruptedException {
    var tls = new TlsConfig(null, null, List.of("h2", "http/1.1", "istio-peer-exchange", "istio"), true, true, null, true, false);
    var config = permissive ? tls.permissive() : tls;
    server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class).childHandler(new ChannelInitializer<SocketChannel>() {
      @Override
      protected void initChannel(SocketChannel ch) {
        MeshTlsHandlers.downstream(ch, serverContexts, config, p -> p.addLast(new Echo()), p -> p.addLast(new Echo()));
      }
    }).bind("127.0.0.1", 0).sync().channel();
  }

  /** Echoes and records who the peer is, when the first bytes arrive (after any handshake). */
  final class Echo extends SimpleChannelInboundHandler<ByteBuf> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, ByteBuf msg) {
      seen.complete(PeerIdentity.of(ctx.channel()));
      var ssl = ctx.pipeline().get(SslHandler.class);
      serverAlpn.complete(ssl == null ? "" : String.valueOf(ssl.applicationProtocol()));
      ctx.writeAndFlush(msg.retain());
    }
  }

  /** Connects with {@code tls} (null: plaintext), sends "ping" and returns the echo and the client's SslHandler. */
  Object[] roundTrip(UpstreamTlsConfig tls) throws Exception {
    var reply = new CompletableFuture<String>();
    var handler = new SslHandler[1];
    var port = ((java.net.InetSocketAddress) server.localAddress()).getPort();
    var address = new java.net.InetSocketAddress("127.0.0.1", port);
    var ch = new Bootstrap().group(group).channel(NioSocketChannel.class).handler(new ChannelInitializer<SocketChannel>() {
      @Override
      protected void initChannel(SocketChannel ch) {
        if (tls != null) {
          handler[0] = MeshTlsHandlers.upstream(ch, clientContexts, tls, address);
          ch.pipeline().addLast(handler[0]);
        }
        ch.pipeline().addLast(new SimpleChannelInboundHandler<ByteBuf>() {
          @Override
          protected void channelRead0(ChannelHandlerContext ctx, ByteBuf msg) {
            reply.complete(msg.toString(StandardCharsets.US_ASCII));
          }

          @Override
          public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            reply.completeExceptionally(cause);
            ctx.close();
          }

          @Override
          public void channelInactive(ChannelHandlerContext ctx) {
            reply.completeExceptionally(new java.io.IOException("closed"));
          }
        });
      }
    }).connect(address).sync().channel();
    try {
      ch.writeAndFlush(Unpooled.copiedBuffer("ping", StandardCharsets.US_ASCII));
      return new Object[] {reply.get(10, TimeUnit.SECONDS), handler[0]};
    } finally {
      ch.close().sync();
    }
  }

  static UpstreamTlsConfig mesh(String expectedSan) {
    return new UpstreamTlsConfig("reviews.default.svc.cluster.local", List.of("istio-peer-exchange", "istio"), true, true,
        null, null, null, List.of(expectedSan), true);
  }

  @Test
  void mutualTlsPublishesThePeerIdentityAndNegotiatesIstioAlpn() throws Exception {
    startServer(false);
    var r = roundTrip(mesh(SERVER));
    assertThat(r[0]).isEqualTo("ping");
    var id = seen.get(5, TimeUnit.SECONDS);
    assertThat(id.spiffeUri()).isEqualTo(CLIENT);
    assertThat(id.principal()).isEqualTo("cluster.local/ns/default/sa/productpage");
    assertThat(id.mutualTls()).isTrue();
    assertThat(id.securityPolicy()).isEqualTo("mutual_tls");
    assertThat(serverAlpn.get(5, TimeUnit.SECONDS)).isEqualTo("istio-peer-exchange");
    assertThat(((SslHandler) r[1]).applicationProtocol()).isEqualTo("istio-peer-exchange");
    assertThat(id.sni()).isEqualTo("reviews.default.svc.cluster.local");
  }

  @Test
  void aServerWithAnotherIdentityIsRefusedDuringTheHandshake() throws Exception {
    startServer(false);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> roundTrip(mesh("spiffe://cluster.local/ns/default/sa/ratings")))
        .hasRootCauseInstanceOf(java.security.cert.CertificateException.class);
    assertThat(seen).isNotDone();
  }

  @Test
  void strictRefusesPlaintextAndPermissiveServesIt() throws Exception {
    startServer(false);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> roundTrip(null)).isNotNull();
    assertThat(seen).isNotDone();
    server.close().sync();
    startServer(true);
    assertThat(roundTrip(null)[0]).isEqualTo("ping");
    assertThat(seen.get(5, TimeUnit.SECONDS)).isEqualTo(PeerIdentity.NONE);
  }

  /**
   * Istio's auto mTLS SNI has underscores. BoringSSL sends it as is and the server reads it back
   * (PeerIdentity.sni, which {@code connection.sni} matches); the JDK's SNIHostName refuses such
   * names, so with the JDK the handshake goes on without SNI.
   */
  @Test
  void istioSniWithUnderscoresReachesTheServer() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(TlsContexts.provider() == io.netty.handler.ssl.SslProvider.OPENSSL, "BoringSSL not loaded");
    startServer(false);
    var sni = "outbound_.9080_.v1_.reviews.default.svc.cluster.local";
    var tls = new UpstreamTlsConfig(sni, List.of("istio-peer-exchange", "istio"), true, true, null, null, null, List.of(SERVER), true);
    assertThat(roundTrip(tls)[0]).isEqualTo("ping");
    assertThat(seen.get(5, TimeUnit.SECONDS).sni()).isEqualTo(sni);
  }

  /**
   * Session resumption between proxies: the second connection from the same client proxy to the
   * same server resumes (session tickets; BoringSSL or, with {@code -Dmeshwork.tls.provider=jdk}, the JDK), counted on the server listener as Envoy's
   * {@code ssl.session_reused}.
   */
  @Test
  void aSecondConnectionFromTheSameClientProxyResumesItsSession() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(TlsContexts.provider() == io.netty.handler.ssl.SslProvider.OPENSSL, "BoringSSL not loaded");
    assertResumption();
  }

  /** The same with the JDK provider on both sides ({@code -Dmeshwork.tls.provider=jdk}). */
  @Test
  void jdkSessionsResumeToo() throws Exception {
    System.setProperty("meshwork.tls.provider", "jdk");
    try {
      assertThat(TlsContexts.provider()).isEqualTo(io.netty.handler.ssl.SslProvider.JDK);
      assertResumption();
    } finally {
      System.clearProperty("meshwork.tls.provider");
    }
  }

  void assertResumption() throws Exception {
    var stats = new io.meshwork.proxy.stats.Stats();
    serverContexts.stats(stats);
    startServer(false);
    var addr = (java.net.InetSocketAddress) server.localAddress();
    var prefix = "listener.127.0.0.1_" + addr.getPort() + ".ssl.";
    assertThat(roundTrip(mesh(SERVER))[0]).isEqualTo("ping");
    awaitStat(stats, prefix + "handshake", 1);
    assertThat(stats.value(prefix + "session_reused")).as("the first handshake is a full one").isZero();
    assertThat(roundTrip(mesh(SERVER))[0]).isEqualTo("ping");
    awaitStat(stats, prefix + "handshake", 2);
    assertThat(stats.value(prefix + "session_reused")).as("the second connection resumed").isEqualTo(1);
    // A client proxy with another context (another process) has no session to resume.
    var other = new TlsContexts();
    var c = new SecretStore();
    c.update(creds(SpiffeId.of("default", "productpage")));
    other.secrets(c);
    clientContexts = other;
    assertThat(roundTrip(mesh(SERVER))[0]).isEqualTo("ping");
    awaitStat(stats, prefix + "handshake", 3);
    assertThat(stats.value(prefix + "session_reused")).isEqualTo(1);
  }

  static void awaitStat(io.meshwork.proxy.stats.Stats stats, String name, long value) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (stats.value(name) < value && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(stats.value(name)).as(name).isEqualTo(value);
  }
}
