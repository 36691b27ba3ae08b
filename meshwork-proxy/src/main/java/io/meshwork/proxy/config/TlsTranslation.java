package io.meshwork.proxy.config;

import io.envoyproxy.envoy.config.core.v3.TransportSocket;

/** Public entry to {@link TlsTranslator} for the xDS builder (cluster transport sockets). */
public final class TlsTranslation {
  private TlsTranslation() {}

  /** A cluster transport socket as upstream TLS; null for {@code raw_buffer}. */
  public static UpstreamTlsConfig upstream(TransportSocket ts, String path) throws ConfigException {
    return TlsTranslator.upstream(ts, path);
  }
}
