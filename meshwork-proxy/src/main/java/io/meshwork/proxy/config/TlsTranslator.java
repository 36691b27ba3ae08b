package io.meshwork.proxy.config;

import com.google.protobuf.InvalidProtocolBufferException;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Translates {@code envoy.transport_sockets.tls}: a listener's into a {@link TlsConfig}, a cluster's into an {@link UpstreamTlsConfig}. */
final class TlsTranslator {
  private TlsTranslator() {}

  static TlsConfig downstream(TransportSocket ts, String path) throws ConfigException {
    var any = ts.getTypedConfig();
    if (!any.is(DownstreamTlsContext.class)) {
      throw new ConfigException(path + ".typed_config.@type",
          "only envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext is supported");
    }
    DownstreamTlsContext ctx;
    try {
      ctx = any.unpack(DownstreamTlsContext.class);
    } catch (InvalidProtocolBufferException e) {
      throw new ConfigException(path + ".typed_config", "cannot be decoded (" + e.getMessage() + ")");
    }
    var p = path + ".typed_config";
    var common = ctx.getCommonTlsContext();
    boolean requireClient = ctx.hasRequireClientCertificate() && ctx.getRequireClientCertificate().getValue();
    boolean sdsRoot = false;
    String trusted = null;
    switch (common.getValidationContextTypeCase()) {
      case VALIDATION_CONTEXT -> trusted = trustedCa(common.getValidationContext(), p + ".common_tls_context.validation_context");
      case COMBINED_VALIDATION_CONTEXT -> {
        var cv = common.getCombinedValidationContext();
        sdsRoot = rootCaSecret(cv.getValidationContextSdsSecretConfig().getName(), p + ".common_tls_context.combined_validation_context");
        if (cv.getDefaultValidationContext().hasTrustedCa()) {
          trusted = trustedCa(cv.getDefaultValidationContext(), p + ".common_tls_context.combined_validation_context.default_validation_context");
        }
      }
      case VALIDATION_CONTEXT_SDS_SECRET_CONFIG -> sdsRoot = rootCaSecret(common.getValidationContextSdsSecretConfig().getName(),
          p + ".common_tls_context.validation_context_sds_secret_config");
      case VALIDATIONCONTEXTTYPE_NOT_SET -> { }
      default -> throw new ConfigException(p + ".common_tls_context", "this validation context type is not supported");
    }
    if (requireClient && !sdsRoot && trusted == null) {
      throw new ConfigException(p + ".require_client_certificate", "requiring client certificates needs a validation context with trusted_ca or the ROOTCA secret");
    }
    var alpn = common.getAlpnProtocolsCount() == 0 ? List.of("h2", "http/1.1") : List.copyOf(common.getAlpnProtocolsList());
    if (common.getTlsCertificateSdsSecretConfigsCount() > 0) {
      workloadSecret(common.getTlsCertificateSdsSecretConfigs(0).getName(), p + ".common_tls_context.tls_certificate_sds_secret_configs[0]");
      return new TlsConfig(null, null, alpn, true, sdsRoot, trusted, requireClient, false);
    }
    if (common.getTlsCertificatesCount() != 1) {
      throw new ConfigException(p + ".common_tls_context.tls_certificates",
          "exactly one certificate (certificate_chain and private_key) is required, or the SDS secret \"default\"");
    }
    var cert = common.getTlsCertificates(0);
    var cp = p + ".common_tls_context.tls_certificates[0]";
    var chain = read(cert.getCertificateChain(), cp + ".certificate_chain");
    var key = read(cert.getPrivateKey(), cp + ".private_key");
    return new TlsConfig(chain, key, alpn, false, sdsRoot, trusted, requireClient, false);
  }

  /**
   * A cluster's {@code envoy.transport_sockets.tls} ({@code UpstreamTlsContext}): SIMPLE/MUTUAL
   * with files or inline PEM, ISTIO_MUTUAL with the SDS secrets {@code default} and {@code ROOTCA};
   * {@code match_typed_subject_alt_names} / {@code match_subject_alt_names} as exact SANs.
   * A {@code raw_buffer} socket (plaintext) gives null.
   */
  static UpstreamTlsConfig upstream(TransportSocket ts, String path) throws ConfigException {
    if (ts.getName().equals("envoy.transport_sockets.raw_buffer") && !ts.hasTypedConfig()) {
      return null;
    }
    var any = ts.getTypedConfig();
    if (!any.is(UpstreamTlsContext.class)) {
      throw new ConfigException(path + ".typed_config.@type",
          "only envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext (or raw_buffer) is supported");
    }
    UpstreamTlsContext ctx;
    try {
      ctx = any.unpack(UpstreamTlsContext.class);
    } catch (InvalidProtocolBufferException e) {
      throw new ConfigException(path + ".typed_config", "cannot be decoded (" + e.getMessage() + ")");
    }
    var p = path + ".typed_config.common_tls_context";
    var common = ctx.getCommonTlsContext();
    CertificateValidationContext validation = null;
    boolean sdsRoot = false;
    switch (common.getValidationContextTypeCase()) {
      case VALIDATION_CONTEXT -> validation = common.getValidationContext();
      case COMBINED_VALIDATION_CONTEXT -> {
        validation = common.getCombinedValidationContext().getDefaultValidationContext();
        sdsRoot = rootCaSecret(common.getCombinedValidationContext().getValidationContextSdsSecretConfig().getName(),
            p + ".combined_validation_context");
      }
      case VALIDATION_CONTEXT_SDS_SECRET_CONFIG -> sdsRoot = rootCaSecret(common.getValidationContextSdsSecretConfig().getName(),
          p + ".validation_context_sds_secret_config");
      case VALIDATIONCONTEXTTYPE_NOT_SET -> { }
      default -> throw new ConfigException(p, "this validation context type is not supported");
    }
    String trusted = null;
    var sans = new ArrayList<String>();
    if (validation != null) {
      if (validation.hasTrustedCa()) {
        trusted = trustedCa(validation, p + ".validation_context");
      }
      for (var m : validation.getMatchTypedSubjectAltNamesList()) {
        sans.add(exact(m.getMatcher(), p + ".validation_context.match_typed_subject_alt_names"));
      }
      for (var m : validation.getMatchSubjectAltNamesList()) {
        sans.add(exact(m, p + ".validation_context.match_subject_alt_names"));
      }
    }
    boolean sdsCert = false;
    String chain = null;
    String key = null;
    if (common.getTlsCertificateSdsSecretConfigsCount() > 0) {
      workloadSecret(common.getTlsCertificateSdsSecretConfigs(0).getName(), p + ".tls_certificate_sds_secret_configs[0]");
      sdsCert = true;
    } else if (common.getTlsCertificatesCount() > 0) {
      var cert = common.getTlsCertificates(0);
      chain = read(cert.getCertificateChain(), p + ".tls_certificates[0].certificate_chain");
      key = read(cert.getPrivateKey(), p + ".tls_certificates[0].private_key");
    }
    // No validation context at all is DestinationRule insecureSkipVerify (or SIMPLE without caCertificates in Envoy terms).
    boolean verify = validation != null || sdsRoot;
    return new UpstreamTlsConfig(ctx.getSni(), common.getAlpnProtocolsList(), sdsCert, sdsRoot, chain, key, trusted, sans, verify);
  }

  private static String exact(io.envoyproxy.envoy.type.matcher.v3.StringMatcher m, String path) throws ConfigException {
    if (m.getMatchPatternCase() != io.envoyproxy.envoy.type.matcher.v3.StringMatcher.MatchPatternCase.EXACT) {
      throw new ConfigException(path, "only exact subject alt name matchers are supported");
    }
    return m.getExact();
  }

  private static String trustedCa(CertificateValidationContext v, String path) throws ConfigException {
    return read(v.getTrustedCa(), path + ".trusted_ca");
  }

  private static boolean rootCaSecret(String name, String path) throws ConfigException {
    if (!name.equals("ROOTCA")) {
      throw new ConfigException(path + ".name", "only the SDS secret ROOTCA (the mesh roots from this proxy's agent) is served, not \"" + name + "\"");
    }
    return true;
  }

  private static void workloadSecret(String name, String path) throws ConfigException {
    if (!name.equals("default")) {
      throw new ConfigException(path + ".name", "only the SDS secret default (this proxy's workload certificate) is served, not \"" + name + "\"");
    }
  }

  private static String read(DataSource ds, String path) throws ConfigException {
    return switch (ds.getSpecifierCase()) {
      case INLINE_STRING -> ds.getInlineString();
      case INLINE_BYTES -> ds.getInlineBytes().toStringUtf8();
      case FILENAME -> {
        try {
          yield Files.readString(Path.of(ds.getFilename()));
        } catch (IOException e) {
          throw new ConfigException(path + ".filename", "cannot read " + ds.getFilename() + " (" + e.getMessage() + ")");
        }
      }
      default -> throw new ConfigException(path, "set filename or inline_string");
    };
  }
}
