package io.meshwork.proxy.config;

import java.util.List;

/**
 * Server-side TLS of a listener ({@code DownstreamTlsContext}): the PEM certificate chain and PKCS#8
 * private key (contents, not paths, so that equal records mean equal TLS), and the ALPN protocols
 * offered, in preference order (Envoy offers none unless configured; Meshwork defaults to
 * {@code h2, http/1.1} for HTTP listeners).
 */
public record TlsConfig(String certificateChainPem, String privateKeyPem, List<String> alpnProtocols) {
  @Override
  public String toString() {
    return "TlsConfig[alpn=" + alpnProtocols + "]"; // never print key material
  }
}
