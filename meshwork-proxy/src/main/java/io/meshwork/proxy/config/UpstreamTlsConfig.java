package io.meshwork.proxy.config;

import java.util.List;

/**
 * Client-side TLS of a cluster ({@code UpstreamTlsContext}), the DestinationRule modes as Istio
 * translates them: SIMPLE (verify the server with {@code trustedCaPem}, or skip verification),
 * MUTUAL (also present {@code certificateChainPem}/{@code privateKeyPem}), ISTIO_MUTUAL and auto
 * mTLS (the workload certificate and the mesh roots from the agent: {@code sdsCertificate},
 * {@code sdsRootCa}).
 *
 * @param sni the server name to send, or empty
 * @param alpnProtocols offered ALPN protocols (Istio's {@code istio-http/1.1}, {@code istio-peer-exchange}, ...)
 * @param subjectAltNames the server certificate must carry one of these SANs (URI or DNS, exact); empty: any
 * @param verify whether the server's chain is verified at all ({@code insecureSkipVerify} turns it off)
 */
public record UpstreamTlsConfig(String sni, List<String> alpnProtocols, boolean sdsCertificate, boolean sdsRootCa,
    String certificateChainPem, String privateKeyPem, String trustedCaPem, List<String> subjectAltNames, boolean verify) {
  public UpstreamTlsConfig {
    sni = sni == null ? "" : sni;
    alpnProtocols = List.copyOf(alpnProtocols);
    subjectAltNames = List.copyOf(subjectAltNames);
  }

  /** Whether the context depends on the agent's secrets. */
  public boolean usesSecrets() {
    return sdsCertificate || sdsRootCa;
  }

  @Override
  public String toString() {
    return "UpstreamTlsConfig[sni=" + sni + ", alpn=" + alpnProtocols + ", san=" + subjectAltNames + (sdsCertificate ? ", sds" : "") + "]";
  }
}
