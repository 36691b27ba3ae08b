package io.meshwork.proxy.tls;

import io.meshwork.proxy.config.TlsConfig;
import io.meshwork.proxy.config.UpstreamTlsConfig;
import io.meshwork.proxy.mtls.SecretStore;
import io.meshwork.security.pki.Pem;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLException;

/**
 * Builds {@link SslContext}s once per distinct configuration (and, for contexts that use the
 * agent's SDS secrets, once per secret generation) and caches them, so accepting or opening a
 * connection never parses PEM. A rotation installs a new generation: new connections get a
 * context with the new certificate, established connections keep theirs.
 *
 * <p>Provider: BoringSSL (netty-tcnative) when it loads, else the JDK; {@code -Dmeshwork.tls.provider=jdk}
 * forces the JDK (the benchmark compares both). TLS 1.3 and 1.2 only. Client handlers are made
 * per peer host and port, which is what the client context's session cache keys resumption on.
 */
public final class TlsContexts {
  private final ConcurrentHashMap<Object, SslContext> cache = new ConcurrentHashMap<>();
  private volatile SecretStore secrets = new SecretStore();
  private volatile long cachedGeneration;
  private volatile io.meshwork.proxy.stats.Stats stats = new io.meshwork.proxy.stats.Stats();

  /**
   * Envoy's per-listener TLS counters, {@code listener.<addr>_<port>.ssl.handshake} and
   * {@code ssl.session_reused}: how many server handshakes completed and how many of them resumed a
   * session (a ticket or the server's session cache) instead of a full handshake.
   */
  public record HandshakeCounters(io.meshwork.proxy.stats.Counter handshake, io.meshwork.proxy.stats.Counter sessionReused,
      HandshakeFailures failures) {}

  private record Key(Object config, long generation) {}

  /** The provider in use: OPENSSL (BoringSSL) when available, unless the system property says jdk. */
  public static SslProvider provider() {
    var forced = System.getProperty("meshwork.tls.provider", "");
    if (forced.equalsIgnoreCase("jdk")) {
      return SslProvider.JDK;
    }
    return OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
  }

  /** Where SDS secrets ({@code default}, {@code ROOTCA}) come from: the proxy's certificate agent. */
  public void secrets(SecretStore store) {
    this.secrets = store;
    cache.clear();
  }

  public SecretStore secrets() {
    return secrets;
  }

  /** The stats store the TLS counters go to (the proxy's; a private one until set). */
  public void stats(io.meshwork.proxy.stats.Stats store) {
    this.stats = store;
  }

  /** The TLS counters of the listener that accepted {@code ch}, named after its bound address as Envoy does. */
  public HandshakeCounters sessionStats(io.netty.channel.Channel ch) {
    var bound = ch.parent() != null ? ch.parent().localAddress() : ch.localAddress();
    var name = bound instanceof java.net.InetSocketAddress a ? a.getAddress().getHostAddress() + "_" + a.getPort() : String.valueOf(bound);
    var prefix = "listener." + name + ".ssl.";
    return new HandshakeCounters(stats.counter(prefix + "handshake"), stats.counter(prefix + "session_reused"),
        new HandshakeFailures(stats, prefix));
  }

  /** A server context; for SDS configs, built from the current secrets (null when there are none yet). */
  public SslContext server(TlsConfig config) {
    var gen = generation(config.usesSecrets());
    if (gen < 0) {
      return null;
    }
    return cache.computeIfAbsent(new Key(config, gen), k -> buildServer(config));
  }

  /** A client context; null when it needs SDS secrets that have not arrived yet. */
  public SslContext client(UpstreamTlsConfig config) {
    var gen = generation(config.usesSecrets());
    if (gen < 0) {
      return null;
    }
    return cache.computeIfAbsent(new Key(config, gen), k -> buildClient(config));
  }

  /** Builds eagerly so that a bad certificate fails the update, not the first connection; SDS configs are checked when secrets arrive. */
  public void validate(TlsConfig config) throws SSLException {
    if (config.sdsCertificate() || config.usesSecrets() && secrets.current() == null) {
      return;
    }
    try {
      server(config);
    } catch (IllegalStateException e) {
      throw (SSLException) e.getCause();
    }
  }

  private long generation(boolean usesSecrets) {
    if (!usesSecrets) {
      return 0;
    }
    var v = secrets.current();
    if (v == null) {
      return -1;
    }
    if (v.generation() != cachedGeneration) {
      // Drop contexts of older generations; connections that hold them keep them alive.
      cachedGeneration = v.generation();
      cache.keySet().removeIf(k -> ((Key) k).generation() != 0 && ((Key) k).generation() < v.generation());
    }
    return v.generation();
  }

  private SslContext buildServer(TlsConfig c) {
    try {
      var alpn = new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
          ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
          ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, c.alpnProtocols());
      SslContextBuilder b;
      var creds = c.usesSecrets() ? secrets.current().credentials() : null;
      if (c.sdsCertificate()) {
        b = SslContextBuilder.forServer(creds.key(), creds.chain().toArray(X509Certificate[]::new));
      } else {
        b = SslContextBuilder.forServer(stream(c.certificateChainPem()), stream(c.privateKeyPem()));
      }
      var roots = roots(c.sdsRootCa() ? creds.trustBundle() : null, c.trustedCaPem());
      if (roots != null) {
        b.trustManager(roots).clientAuth(c.requireClientCertificate() ? ClientAuth.REQUIRE : ClientAuth.OPTIONAL);
      }
      return b.sslProvider(provider()).protocols("TLSv1.3", "TLSv1.2").applicationProtocolConfig(alpn).build();
    } catch (SSLException | IllegalArgumentException e) {
      throw new IllegalStateException(e instanceof SSLException s ? s
          : new SSLException("invalid certificate or key: " + e.getMessage(), e));
    }
  }

  private SslContext buildClient(UpstreamTlsConfig c) {
    try {
      var b = SslContextBuilder.forClient().sslProvider(provider()).protocols("TLSv1.3", "TLSv1.2");
      var creds = c.usesSecrets() ? secrets.current().credentials() : null;
      if (c.sdsCertificate()) {
        b.keyManager(creds.key(), creds.chain().toArray(X509Certificate[]::new));
      } else if (c.certificateChainPem() != null) {
        b.keyManager(stream(c.certificateChainPem()), stream(c.privateKeyPem()));
      }
      if (!c.verify()) {
        b.trustManager(InsecureTrustManagerFactory.INSTANCE);
      } else {
        var roots = roots(c.sdsRootCa() ? creds.trustBundle() : null, c.trustedCaPem());
        if (!c.subjectAltNames().isEmpty() || c.sdsRootCa()) {
          // Mesh identities are SPIFFE URIs, not host names: the SAN list (or the mesh root
          // alone) decides, not Netty's default HTTPS host name check against the SNI.
          b.endpointIdentificationAlgorithm(null);
        }
        if (!c.subjectAltNames().isEmpty()) {
          b.trustManager(new SanCheckingTrustManager(roots, c.subjectAltNames()));
        } else if (roots != null) {
          b.trustManager(roots);
        } // else: the JDK's default trust store (public CAs), as Envoy uses the system bundle
      }
      if (!c.alpnProtocols().isEmpty()) {
        b.applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, c.alpnProtocols()));
      }
      return b.build();
    } catch (SSLException | IllegalArgumentException e) {
      throw new IllegalStateException(e instanceof SSLException s ? s
          : new SSLException("invalid client certificate or CA: " + e.getMessage(), e));
    }
  }

  private static X509Certificate[] roots(java.util.List<X509Certificate> sds, String pem) {
    var all = new java.util.ArrayList<X509Certificate>();
    if (sds != null) {
      all.addAll(sds);
    }
    if (pem != null) {
      all.addAll(Pem.certificates(pem));
    }
    return all.isEmpty() ? null : all.toArray(X509Certificate[]::new);
  }

  private static ByteArrayInputStream stream(String s) {
    return new ByteArrayInputStream(s.getBytes(StandardCharsets.US_ASCII));
  }
}
