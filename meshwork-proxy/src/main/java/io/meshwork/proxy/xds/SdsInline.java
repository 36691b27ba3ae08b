package io.meshwork.proxy.xds;

import com.google.protobuf.InvalidProtocolBufferException;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SdsSecretConfig;
import java.util.Map;

/**
 * Puts the SDS secrets received from the control plane (a gateway's {@code kubernetes://NAME} and
 * {@code kubernetes://NAME-cacert}) into the listener's TLS contexts as inline PEM, so the listener
 * builds like one with inline certificates. A secret not yet received is left as a reference, and
 * {@link SdsWarming} keeps that listener warming. A new secret version changes only the TLS context
 * the listener's chains use (new connections get the new certificate); the listener itself, its
 * address and protocol are unchanged, so the proxy keeps its socket bound.
 *
 * <p>The inlined listener is for building only: the proxy's config dump keeps the original with
 * the SDS references, so private keys never appear in /config_dump.
 */
final class SdsInline {
  private SdsInline() {}

  static Listener apply(Listener l, Map<String, Secret> secrets) {
    if (secrets.isEmpty()) {
      return l;
    }
    var b = l.toBuilder();
    boolean changed = false;
    for (int i = 0; i < b.getFilterChainsCount(); i++) {
      var c = inline(b.getFilterChains(i), secrets);
      if (c != null) {
        b.setFilterChains(i, c);
        changed = true;
      }
    }
    if (b.hasDefaultFilterChain()) {
      var c = inline(b.getDefaultFilterChain(), secrets);
      if (c != null) {
        b.setDefaultFilterChain(c);
        changed = true;
      }
    }
    return changed ? b.build() : l;
  }

  /** The chain with its secrets inlined, or null if it references none of {@code secrets}. */
  private static FilterChain inline(FilterChain c, Map<String, Secret> secrets) {
    if (!c.hasTransportSocket() || !c.getTransportSocket().getTypedConfig().is(DownstreamTlsContext.class)) {
      return null;
    }
    DownstreamTlsContext ctx;
    try {
      ctx = c.getTransportSocket().getTypedConfig().unpack(DownstreamTlsContext.class);
    } catch (InvalidProtocolBufferException e) {
      return null; // the listener builder reports it with its path
    }
    var common = ctx.getCommonTlsContext().toBuilder();
    boolean changed = false;
    var certs = common.getTlsCertificateSdsSecretConfigsList();
    if (!certs.isEmpty() && certs.stream().allMatch(s -> certificate(s, secrets) != null)) {
      common.clearTlsCertificateSdsSecretConfigs();
      certs.forEach(s -> common.addTlsCertificates(certificate(s, secrets).getTlsCertificate()));
      changed = true;
    }
    if (common.hasValidationContextSdsSecretConfig()) {
      var v = validation(common.getValidationContextSdsSecretConfig(), secrets);
      if (v != null) {
        common.setValidationContext(v); // replaces the SDS reference (a oneof)
        changed = true;
      }
    } else if (common.hasCombinedValidationContext()) {
      var cv = common.getCombinedValidationContext();
      var v = validation(cv.getValidationContextSdsSecretConfig(), secrets);
      if (v != null) {
        common.setValidationContext(cv.getDefaultValidationContext().toBuilder().mergeFrom(v).build());
        changed = true;
      }
    }
    if (!changed) {
      return null;
    }
    var next = ctx.toBuilder().setCommonTlsContext(common).build();
    var ts = c.getTransportSocket().toBuilder().setTypedConfig(com.google.protobuf.Any.pack(next));
    return c.toBuilder().setTransportSocket(ts).build();
  }

  private static Secret certificate(SdsSecretConfig ref, Map<String, Secret> secrets) {
    var s = secrets.get(ref.getName());
    return s != null && s.hasTlsCertificate() ? s : null;
  }

  private static CertificateValidationContext validation(SdsSecretConfig ref, Map<String, Secret> secrets) {
    var s = secrets.get(ref.getName());
    return s != null && s.hasValidationContext() ? s.getValidationContext() : null;
  }
}
