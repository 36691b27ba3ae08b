package io.meshwork.proxy.tls;

import io.meshwork.proxy.config.TlsConfig;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLException;

/**
 * Builds server {@link SslContext}s (JDK provider, TLS 1.2/1.3, ALPN as configured) once per
 * distinct {@link TlsConfig} and caches them, so accepting a connection never parses PEM.
 */
public final class TlsContexts {
  private final ConcurrentHashMap<TlsConfig, SslContext> cache = new ConcurrentHashMap<>();

  public SslContext server(TlsConfig config) {
    return cache.computeIfAbsent(config, TlsContexts::build);
  }

  /** Builds eagerly so that a bad certificate fails the update, not the first connection. */
  public void validate(TlsConfig config) throws SSLException {
    try {
      server(config);
    } catch (IllegalStateException e) {
      throw (SSLException) e.getCause();
    }
  }

  private static SslContext build(TlsConfig c) {
    try {
      var alpn = new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
          ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
          ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, c.alpnProtocols());
      return SslContextBuilder.forServer(
              new ByteArrayInputStream(c.certificateChainPem().getBytes(StandardCharsets.US_ASCII)),
              new ByteArrayInputStream(c.privateKeyPem().getBytes(StandardCharsets.US_ASCII)))
          .sslProvider(SslProvider.JDK)
          .protocols("TLSv1.3", "TLSv1.2")
          .applicationProtocolConfig(alpn)
          .build();
    } catch (SSLException | IllegalArgumentException e) {
      throw new IllegalStateException(e instanceof SSLException s ? s
          : new SSLException("invalid certificate or key: " + e.getMessage(), e));
    }
  }
}
