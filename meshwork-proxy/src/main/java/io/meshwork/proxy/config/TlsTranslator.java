package io.meshwork.proxy.config;

import com.google.protobuf.InvalidProtocolBufferException;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Translates a listener's {@code envoy.transport_sockets.tls} into a {@link TlsConfig}. */
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
    if (ctx.hasRequireClientCertificate() && ctx.getRequireClientCertificate().getValue()
        || ctx.getCommonTlsContext().hasValidationContext()) {
      throw new ConfigException(p + ".require_client_certificate", "client certificate validation (mTLS) is not supported yet");
    }
    var common = ctx.getCommonTlsContext();
    if (common.getTlsCertificatesCount() != 1) {
      throw new ConfigException(p + ".common_tls_context.tls_certificates",
          "exactly one certificate (certificate_chain and private_key) is required; SDS is not supported yet");
    }
    var cert = common.getTlsCertificates(0);
    var cp = p + ".common_tls_context.tls_certificates[0]";
    var chain = read(cert.getCertificateChain(), cp + ".certificate_chain");
    var key = read(cert.getPrivateKey(), cp + ".private_key");
    var alpn = common.getAlpnProtocolsCount() == 0 ? List.of("h2", "http/1.1") : List.copyOf(common.getAlpnProtocolsList());
    return new TlsConfig(chain, key, alpn);
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
