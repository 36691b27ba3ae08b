package io.meshwork.bench.compare;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.ReferenceCountUtil;
import java.nio.ByteBuffer;
import java.time.Duration;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;

/**
 * New mTLS handshakes per core: full TLS 1.3 handshakes with client certificates (the mesh
 * certificates of the mTLS rows, ECDSA P-256), client and server engines driven over memory
 * buffers on one thread, no session reuse. Both sides' work is on that one core, so a proxy that
 * only accepts (or only opens) connections does roughly twice as many per core.
 */
public final class HandshakeRate {
  private HandshakeRate() {}

  /**
   * Handshakes per second on the calling thread with {@code provider}, measured for {@code time}
   * after a warm-up of the same length; -1 when the provider is not available.
   */
  public static double measure(MeshCertificates certs, SslProvider provider, Duration time) throws SSLException {
    if (provider == SslProvider.OPENSSL && !OpenSsl.isAvailable()) {
      return -1;
    }
    var server = SslContextBuilder.forServer(certs.serverCert().toFile(), certs.serverKey().toFile())
        .trustManager(certs.root().toFile()).clientAuth(ClientAuth.REQUIRE).sslProvider(provider).protocols("TLSv1.3").build();
    var client = SslContextBuilder.forClient().keyManager(certs.clientCert().toFile(), certs.clientKey().toFile())
        .trustManager(certs.root().toFile()).endpointIdentificationAlgorithm(null).sslProvider(provider).protocols("TLSv1.3").build();
    run(client, server, time.toNanos()); // warm-up (JIT, native init)
    long start = System.nanoTime();
    long n = run(client, server, time.toNanos());
    return n / ((System.nanoTime() - start) / 1e9);
  }

  private static long run(SslContext clientCtx, SslContext serverCtx, long nanos) throws SSLException {
    long end = System.nanoTime() + nanos;
    long n = 0;
    var c2s = ByteBuffer.allocate(64 * 1024);
    var s2c = ByteBuffer.allocate(64 * 1024);
    var app = ByteBuffer.allocate(64 * 1024);
    while (System.nanoTime() < end) {
      var c = clientCtx.newEngine(ByteBufAllocator.DEFAULT);
      var s = serverCtx.newEngine(ByteBufAllocator.DEFAULT);
      try {
        handshake(c, s, c2s, s2c, app);
        n++;
      } finally {
        ReferenceCountUtil.release(c);
        ReferenceCountUtil.release(s);
      }
    }
    return n;
  }

  private static void handshake(SSLEngine c, SSLEngine s, ByteBuffer c2s, ByteBuffer s2c, ByteBuffer app) throws SSLException {
    c.beginHandshake();
    s.beginHandshake();
    var empty = ByteBuffer.allocate(0);
    for (int round = 0; round < 50; round++) {
      c2s.clear();
      c.wrap(empty, c2s);
      tasks(c);
      c2s.flip();
      while (c2s.hasRemaining()) {
        app.clear();
        var r = s.unwrap(c2s, app);
        tasks(s);
        if (r.bytesConsumed() == 0) {
          break;
        }
      }
      s2c.clear();
      s.wrap(empty, s2c);
      tasks(s);
      s2c.flip();
      while (s2c.hasRemaining()) {
        app.clear();
        var r = c.unwrap(s2c, app);
        tasks(c);
        if (r.bytesConsumed() == 0) {
          break;
        }
      }
      if (done(c) && done(s)) {
        return;
      }
    }
    throw new SSLException("the in-memory handshake did not finish");
  }

  private static boolean done(SSLEngine e) {
    var h = e.getHandshakeStatus();
    return h == HandshakeStatus.NOT_HANDSHAKING || h == HandshakeStatus.FINISHED;
  }

  private static void tasks(SSLEngine e) {
    Runnable t;
    while ((t = e.getDelegatedTask()) != null) {
      t.run();
    }
  }
}
