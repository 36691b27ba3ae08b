package io.meshwork.config.networking;

import io.meshwork.config.schema.Validatable;
import io.meshwork.config.schema.Validation;
import java.util.List;

/**
 * TLS from the proxy to a destination: off, simple TLS, mutual TLS with given certificates (as
 * files or a secret named by {@code credentialName}), or Istio's own mutual TLS.
 */
public record ClientTLSSettings(
    TLSmode mode,
    String clientCertificate,
    String privateKey,
    String caCertificates,
    String credentialName,
    List<String> subjectAltNames,
    String sni,
    Boolean insecureSkipVerify,
    String caCrl) implements Validatable {

  /** TLS modes for upstream connections. */
  public enum TLSmode {
    DISABLE,
    SIMPLE,
    MUTUAL,
    ISTIO_MUTUAL
  }

  @Override
  public void validate(Validation v) {
    if (Boolean.TRUE.equals(insecureSkipVerify)) {
      if (mode == TLSmode.SIMPLE && (set(caCertificates) || set(credentialName) || !subjectAltNames.isEmpty())) {
        v.invalidObject("cannot specify CaCertificates or CredentialName or SubjectAltNames when InsecureSkipVerify is set true");
      }
      if (mode == TLSmode.MUTUAL && (set(caCertificates) || !subjectAltNames.isEmpty())) {
        v.invalidObject("cannot specify CaCertificates or SubjectAltNames when InsecureSkipVerify is set true");
      }
    }
    if ((mode == TLSmode.SIMPLE || mode == TLSmode.MUTUAL) && set(credentialName)) {
      if (set(clientCertificate) || set(caCertificates) || set(privateKey) || set(caCrl)) {
        v.invalidObject("cannot specify client certificates or CA certificate or CA CRL If credentialName is set");
      }
      return;
    }
    if (mode == TLSmode.MUTUAL) {
      if (!set(clientCertificate)) {
        v.required(v.at("clientCertificate"), "client certificate required for mutual tls");
      }
      if (!set(privateKey)) {
        v.required(v.at("privateKey"), "private key required for mutual tls");
      }
    }
    if (mode == TLSmode.ISTIO_MUTUAL && (set(clientCertificate) || set(privateKey) || set(caCertificates) || set(credentialName))) {
      v.warn(v.path(), "ISTIO_MUTUAL uses Istio's own certificates: clientCertificate, privateKey, caCertificates and credentialName are ignored");
    }
  }

  static boolean set(String s) {
    return s != null && !s.isEmpty();
  }
}
