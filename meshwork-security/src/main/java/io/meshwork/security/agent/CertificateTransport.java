package io.meshwork.security.agent;

import java.time.Duration;

/**
 * The agent's round trip to the CA. The proxy implements it over gRPC (Istio's
 * {@code IstioCertificateService/CreateCertificate}) with its join token or ServiceAccount token
 * attached; tests implement it in-process against a {@link io.meshwork.security.ca.CsrSigner}.
 */
public interface CertificateTransport {
  /**
   * Sends {@code csrPem} and returns what the CA signed.
   *
   * @param ttl the lifetime the agent asks for; the CA may shorten it
   * @throws Exception any failure; the rotator retries with backoff
   */
  SignedChain requestCertificate(String csrPem, Duration ttl) throws Exception;
}
