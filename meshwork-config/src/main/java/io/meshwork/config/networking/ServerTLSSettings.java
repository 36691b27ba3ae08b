package io.meshwork.config.networking;

import io.meshwork.config.schema.Validatable;
import io.meshwork.config.schema.Validation;
import java.util.List;

/**
 * TLS of a Gateway server or Sidecar ingress listener: mode, certificates (as files, as a
 * Kubernetes secret by {@code credentialName(s)}, or several pairs in {@code tlsCertificates}),
 * client verification, protocol versions and cipher suites. The mode defaults to PASSTHROUGH.
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

  /** The mode, PASSTHROUGH when absent (the protobuf default). */
  public TLSmode effectiveMode() {
    return mode == null ? TLSmode.PASSTHROUGH : mode;
  }

  /** Whether the certificates come from a secret or a list rather than from files. */
  boolean hasRemoteCredentials() {
    return set(credentialName) || !credentialNames.isEmpty() || !tlsCertificates.isEmpty();
  }

  @Override
  public void validate(Validation v) {
    var m = effectiveMode();
    if ((minProtocolVersion == TLSProtocol.TLSV1_0 || minProtocolVersion == TLSProtocol.TLSV1_1) && cipherSuites.isEmpty()) {
      v.warn(v.path(), "TLS version below TLSV1_2 require setting compatible ciphers as by default they no longer include compatible ciphers.");
    }
    if (minProtocolVersion != null && maxProtocolVersion != null && minProtocolVersion != TLSProtocol.TLS_AUTO
        && maxProtocolVersion != TLSProtocol.TLS_AUTO && minProtocolVersion.compareTo(maxProtocolVersion) > 0) {
      v.invalidObject("minProtocolVersion should be less than or equal to maxProtocolVersion");
    }
    if (set(credentialName) && !credentialNames.isEmpty()) {
      v.invalidObject("only one of credentialName or credentialNames can be set");
    }
    if (credentialNames.size() > 2 || tlsCertificates.size() > 2) {
      v.invalidObject("at most two certificates (one RSA, one ECDSA) can be given");
    }
    if (m == TLSmode.ISTIO_MUTUAL) {
      if (set(serverCertificate)) {
        v.invalid("serverCertificate", serverCertificate, "ISTIO_MUTUAL TLS cannot have associated server certificate");
      }
      if (set(privateKey)) {
        v.invalid("privateKey", privateKey, "ISTIO_MUTUAL TLS cannot have associated private key");
      }
      if (set(caCertificates)) {
        v.invalid("caCertificates", caCertificates, "ISTIO_MUTUAL TLS cannot have associated CA bundle");
      }
      if (set(credentialName)) {
        v.invalid("credentialName", credentialName, "ISTIO_MUTUAL TLS cannot have associated credentialName");
      }
      return;
    }
    if ((m == TLSmode.PASSTHROUGH || m == TLSmode.AUTO_PASSTHROUGH)
        && (set(caCrl) || set(serverCertificate) || set(privateKey) || set(caCertificates) || set(credentialName))) {
      v.warn(v.path(), m + " mode does not use certificates, they will be ignored");
    }
    boolean terminates = m == TLSmode.SIMPLE || m == TLSmode.MUTUAL || m == TLSmode.OPTIONAL_MUTUAL;
    if (terminates && hasRemoteCredentials()) {
      return;
    }
    if (m == TLSmode.SIMPLE) {
      if (!set(serverCertificate)) {
        v.required(v.at("serverCertificate"), "SIMPLE TLS requires a server certificate");
      }
      if (!set(privateKey)) {
        v.required(v.at("privateKey"), "SIMPLE TLS requires a private key");
      }
    } else if (m == TLSmode.MUTUAL || m == TLSmode.OPTIONAL_MUTUAL) {
      if (!set(serverCertificate)) {
        v.required(v.at("serverCertificate"), "MUTUAL TLS requires a server certificate");
      }
      if (!set(privateKey)) {
        v.required(v.at("privateKey"), "MUTUAL TLS requires a private key");
      }
      if (!set(caCertificates)) {
        v.required(v.at("caCertificates"), "MUTUAL TLS requires a client CA bundle");
      }
    }
    if (set(caCrl)) {
      if (set(credentialName)) {
        v.invalid("caCrl", caCrl, "CRL is not supported with credentialName. CRL has to be specified in the credential");
      }
      if (m == TLSmode.SIMPLE) {
        v.invalid("caCrl", caCrl, "CRL is not supported with SIMPLE TLS");
      }
    }
  }

  static boolean set(String s) {
    return s != null && !s.isEmpty();
  }
}
