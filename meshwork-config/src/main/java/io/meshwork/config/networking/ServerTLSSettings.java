package io.meshwork.config.networking;

import io.meshwork.config.schema.Validatable;
import io.meshwork.config.schema.Validation;
import java.util.List;

/**
 * TLS of a Gateway server or Sidecar ingress listener: mode, certificates (as files, as a
 * Kubernetes secret by {@code credentialName(s)}, or several pairs in {@code tlsCertificates}),
 * client verification, protocol versions and cipher suites.
 */
public record ServerTLSSettings(
    boolean httpsRedirect,
    TLSmode mode,
    String serverCertificate,
    String privateKey,
    String caCertificates,
    String caCrl,
    String credentialName,
    List<String> credentialNames,
    List<TLSCertificate> tlsCertificates,
    List<String> subjectAltNames,
    List<String> verifyCertificateSpki,
    List<String> verifyCertificateHash,
    TLSProtocol minProtocolVersion,
    TLSProtocol maxProtocolVersion,
    List<String> cipherSuites) implements Validatable {

  /** Server TLS modes. */
  public enum TLSmode {
    PASSTHROUGH,
    SIMPLE,
    MUTUAL,
    AUTO_PASSTHROUGH,
    ISTIO_MUTUAL,
    OPTIONAL_MUTUAL
  }

  /** TLS protocol versions. */
  public enum TLSProtocol {
    TLS_AUTO,
    TLSV1_0,
    TLSV1_1,
    TLSV1_2,
    TLSV1_3
  }

  /** One certificate/key pair (for serving RSA and ECDSA certificates side by side). */
  public record TLSCertificate(String serverCertificate, String privateKey, String caCertificates) {}

  @Override
  public void validate(Validation v) {
    boolean terminates = mode == TLSmode.SIMPLE || mode == TLSmode.MUTUAL || mode == TLSmode.OPTIONAL_MUTUAL;
    int sources = (set(credentialName) ? 1 : 0) + (credentialNames.isEmpty() ? 0 : 1) + (tlsCertificates.isEmpty() ? 0 : 1)
        + (set(serverCertificate) || set(privateKey) ? 1 : 0);
    if (sources > 1) {
      v.invalidObject("only one of credentialName, credentialNames, tlsCertificates or serverCertificate/privateKey can be set");
    }
    if (credentialNames.size() > 2 || tlsCertificates.size() > 2) {
      v.invalidObject("at most two certificates (one RSA, one ECDSA) can be given");
    }
    if (terminates && sources == 0) {
      v.required(v.at("credentialName"), mode + " TLS requires a credentialName or serverCertificate and privateKey");
    } else if (terminates && !set(credentialName) && credentialNames.isEmpty() && tlsCertificates.isEmpty()) {
      if (!set(serverCertificate)) {
        v.required(v.at("serverCertificate"), mode + " TLS requires a server certificate");
      }
      if (!set(privateKey)) {
        v.required(v.at("privateKey"), mode + " TLS requires a private key");
      }
      if ((mode == TLSmode.MUTUAL || mode == TLSmode.OPTIONAL_MUTUAL) && !set(caCertificates)) {
        v.required(v.at("caCertificates"), mode + " TLS requires a client CA bundle");
      }
    }
    if (mode == TLSmode.ISTIO_MUTUAL && (sources > 0 || set(caCertificates))) {
      v.invalidObject("ISTIO_MUTUAL TLS cannot have associated certificates or credentialName");
    }
    if (minProtocolVersion != null && maxProtocolVersion != null && minProtocolVersion != TLSProtocol.TLS_AUTO
        && maxProtocolVersion != TLSProtocol.TLS_AUTO && minProtocolVersion.compareTo(maxProtocolVersion) > 0) {
      v.invalidObject("minProtocolVersion should be less than or equal to maxProtocolVersion");
    }
    for (int i = 0; i < cipherSuites.size(); i++) {
      if (cipherSuites.get(i).isBlank()) {
        v.invalid(v.at("cipherSuites").index(i), cipherSuites.get(i), "cipher suite names cannot be empty");
      }
    }
  }

  static boolean set(String s) {
    return s != null && !s.isEmpty();
  }
}
