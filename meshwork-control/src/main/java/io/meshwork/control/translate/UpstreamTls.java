package io.meshwork.control.translate;

import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SdsSecretConfig;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SubjectAltNameMatcher;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.TlsCertificate;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import io.meshwork.config.networking.ClientTLSSettings;

/**
 * A DestinationRule's {@code tls} as the cluster's transport socket. SIMPLE and MUTUAL use the
 * files named in the rule; ISTIO_MUTUAL uses SDS secrets {@code default} and {@code ROOTCA} over
 * ADS, Istio's names for the workload certificate and the mesh root.
 */
final class UpstreamTls {
  static final String NAME = "envoy.transport_sockets.tls";

  private UpstreamTls() {}

  /** The transport socket, or null for DISABLE / no TLS. */
  static TransportSocket of(ClientTLSSettings tls, String hostname) {
    if (tls == null || tls.mode() == null || tls.mode() == ClientTLSSettings.TLSmode.DISABLE) {
      return null;
    }
    var common = CommonTlsContext.newBuilder();
    var ctx = UpstreamTlsContext.newBuilder();
    var validation = CertificateValidationContext.newBuilder();
    for (var san : tls.subjectAltNames()) {
      validation.addMatchTypedSubjectAltNames(SubjectAltNameMatcher.newBuilder().setSanType(SubjectAltNameMatcher.SanType.DNS)
          .setMatcher(StringMatcher.newBuilder().setExact(san)));
    }
    switch (tls.mode()) {
      case ISTIO_MUTUAL -> {
        common.addTlsCertificateSdsSecretConfigs(SdsSecretConfig.newBuilder().setName("default").setSdsConfig(Protos.ads()));
        common.setCombinedValidationContext(CommonTlsContext.CombinedCertificateValidationContext.newBuilder()
            .setDefaultValidationContext(validation)
            .setValidationContextSdsSecretConfig(SdsSecretConfig.newBuilder().setName("ROOTCA").setSdsConfig(Protos.ads())));
        common.addAlpnProtocols("istio");
        ctx.setSni(tls.sni() != null ? tls.sni() : "outbound_." + hostname);
      }
      case SIMPLE, MUTUAL -> {
        if (tls.caCertificates() != null && !tls.caCertificates().isEmpty()) {
          validation.setTrustedCa(DataSource.newBuilder().setFilename(tls.caCertificates()));
        }
        if (!Boolean.TRUE.equals(tls.insecureSkipVerify())) {
          common.setValidationContext(validation);
        }
        if (tls.mode() == ClientTLSSettings.TLSmode.MUTUAL && tls.clientCertificate() != null) {
          common.addTlsCertificates(TlsCertificate.newBuilder().setCertificateChain(DataSource.newBuilder().setFilename(tls.clientCertificate()))
              .setPrivateKey(DataSource.newBuilder().setFilename(tls.privateKey())));
        }
        ctx.setSni(tls.sni() != null ? tls.sni() : hostname);
      }
      default -> {
        return null;
      }
    }
    return TransportSocket.newBuilder().setName(NAME).setTypedConfig(Protos.any(ctx.setCommonTlsContext(common).build())).build();
  }
}
