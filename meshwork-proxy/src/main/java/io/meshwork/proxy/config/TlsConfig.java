package io.meshwork.proxy.config;

import java.util.List;

/**
 * Server-side TLS of a listener ({@code DownstreamTlsContext}): the PEM certificate chain and PKCS#8
 * private key (contents, not paths, so that equal records mean equal TLS), and the ALPN protocols
 * offered, in preference order (Envoy offers none unless configured; Meshwork defaults to
 * {@code h2, http/1.1} for HTTP listeners).
 *
 * <p>Mesh mTLS (Istio's inbound listeners) uses SDS secrets instead of inline PEM:
 * {@code sdsCertificate} serves the workload certificate (secret {@code default}) the proxy's
 * agent holds, {@code sdsRootCa} verifies clients against the mesh roots (secret {@code ROOTCA}),
 * {@code requireClientCertificate} refuses clients without one, and {@code allowPlaintext}
 * (PeerAuthentication PERMISSIVE: a {@code tls} and a {@code raw_buffer} filter chain with the same
 * filters) detects TLS on the first byte and serves plaintext too.
 *
 * @param trustedCaPem roots to verify client certificates with (a file's validation context), or null
 */
public record TlsConfig(String certificateChainPem, String privateKeyPem, List<String> alpnProtocols, boolean sdsCertificate,
    boolean sdsRootCa, String trustedCaPem, boolean requireClientCertificate, boolean allowPlaintext) {
  public TlsConfig {
    alpnProtocols = List.copyOf(alpnProtocols);
  }

  /** Plain server TLS from PEM contents, no client certificates. */
  public TlsConfig(String certificateChainPem, String privateKeyPem, List<String> alpnProtocols) {
    this(certificateChainPem, privateKeyPem, alpnProtocols, false, false, null, false, false);
  }

  /** Whether the context depends on the agent's secrets (rebuilt on every rotation). */
  public boolean usesSecrets() {
    return sdsCertificate || sdsRootCa;
  }

  /** The same TLS, with plaintext accepted next to it (PERMISSIVE). */
  public TlsConfig permissive() {
    return new TlsConfig(certificateChainPem, privateKeyPem, alpnProtocols, sdsCertificate, sdsRootCa, trustedCaPem,
        requireClientCertificate, true);
  }

  @Override
  public String toString() {
    return "TlsConfig[alpn=" + alpnProtocols + (sdsCertificate ? ", sds" : "") + (requireClientCertificate ? ", mtls" : "")
        + (allowPlaintext ? ", permissive" : "") + "]"; // never print key material
  }
}
