package io.meshwork.config.networking;

import io.meshwork.config.schema.Validatable;
import io.meshwork.config.schema.Validation;
import java.util.List;

/** TLS from the proxy to a destination: off, simple TLS, mutual TLS with given certificates, or Istio's mTLS. */
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
    if (mode == TLSmode.ISTIO_MUTUAL) {
      if (set(clientCertificate) || set(privateKey) || set(caCertificates) || set(credentialName) || set(caCrl)) {
        v.invalidObject("cannot specify client certificates or CA certificate or CA CRL or credentialName when mode is ISTIO_MUTUAL");
      }
    }
    if (mode == TLSmode.MUTUAL && !set(credentialName)) {
      if (!set(clientCertificate)) {
        v.required(v.at("clientCertificate"), "client certificate required for mutual tls (or set credentialName)");
      }
      if (!set(privateKey)) {
        v.required(v.at("privateKey"), "private key required for mutual tls (or set credentialName)");
      }
    }
    if (set(credentialName) && (set(clientCertificate) || set(privateKey) || set(caCertificates))) {
      v.invalidObject("cannot specify client certificates or CA certificate when credentialName is set");
    }
  }

  static boolean set(String s) {
    return s != null && !s.isEmpty();
  }
}
