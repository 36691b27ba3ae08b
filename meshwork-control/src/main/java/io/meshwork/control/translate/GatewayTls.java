package io.meshwork.control.translate;

import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.FilterChainMatch;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.listener.v3.ListenerFilter;
import io.envoyproxy.envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SdsSecretConfig;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.TlsCertificate;
import io.meshwork.config.networking.Gateway;
import io.meshwork.config.networking.ServerTLSSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;

/**
 * Gateway servers with TLS. SIMPLE/MUTUAL terminate: one filter chain per server, selected by SNI
 * (its hosts), with a {@code DownstreamTlsContext} whose certificate comes from the files named, or
 * over SDS as {@code kubernetes://CREDENTIAL_NAME} (Istio's secret name), and an HTTP connection
 * manager on the server's own route config. PASSTHROUGH: the TLS inspector and one TCP proxy
 * chain per SNI of the bound VirtualServices' {@code tls} routes.
 */
final class GatewayTls {
  /** A passthrough destination: SNI names and the cluster. */
  record SniRoute(List<String> sniHosts, String cluster) {}

  private GatewayTls() {}

  /** Fills the listener; false when nothing applies (the port is then not opened). */
  static boolean build(Listener.Builder l, int port, List<Gateway.Server> servers, String protocol,
      BiFunction<Gateway.Server, Integer, String> routesOf, BiFunction<Gateway.Server, Integer, List<SniRoute>> passthrough) {
    boolean any = false;
    l.addListenerFilters(ListenerFilter.newBuilder().setName(TlsListeners.TLS_INSPECTOR).setTypedConfig(Protos.any(TlsInspector.getDefaultInstance())));
    for (var s : servers) {
      var tls = s.tls();
      if (tls == null || tls.mode() == null) {
        continue;
      }
      switch (tls.mode()) {
        case SIMPLE, MUTUAL, OPTIONAL_MUTUAL -> {
          var rc = routesOf.apply(s, port);
          var chain = FilterChain.newBuilder().setName(rc).setTransportSocket(downstream(tls))
              .addFilters(Filters.rds("https." + port, rc, false));
          var sni = serverNames(s);
          if (!sni.isEmpty()) {
            chain.setFilterChainMatch(FilterChainMatch.newBuilder().addAllServerNames(sni));
          }
          l.addFilterChains(chain);
          any = true;
        }
        case PASSTHROUGH -> {
          for (var r : passthrough.apply(s, port)) {
            l.addFilterChains(FilterChain.newBuilder().setFilterChainMatch(FilterChainMatch.newBuilder().addAllServerNames(r.sniHosts()))
                .addFilters(Filters.tcpProxy("tcp." + port, r.cluster())));
            any = true;
          }
        }
        default -> {
          // AUTO_PASSTHROUGH and ISTIO_MUTUAL need multi-network and the mesh CA: not translated.
        }
      }
    }
    return any;
  }

  private static List<String> serverNames(Gateway.Server s) {
    var out = new ArrayList<String>();
    for (var h : s.hosts()) {
      var host = h.contains("/") ? h.substring(h.indexOf('/') + 1) : h;
      if (!host.equals("*")) {
        out.add(host);
      }
    }
    return out;
  }

  static TransportSocket downstream(ServerTLSSettings tls) {
    var common = CommonTlsContext.newBuilder().addAlpnProtocols("h2").addAlpnProtocols("http/1.1");
    if (tls.credentialName() != null && !tls.credentialName().isEmpty()) {
      common.addTlsCertificateSdsSecretConfigs(SdsSecretConfig.newBuilder().setName("kubernetes://" + tls.credentialName())
          .setSdsConfig(Protos.ads()));
    } else if (tls.serverCertificate() != null) {
      common.addTlsCertificates(TlsCertificate.newBuilder().setCertificateChain(DataSource.newBuilder().setFilename(tls.serverCertificate()))
          .setPrivateKey(DataSource.newBuilder().setFilename(tls.privateKey())));
    }
    var ctx = DownstreamTlsContext.newBuilder();
    if (tls.mode() == ServerTLSSettings.TLSmode.MUTUAL) {
      ctx.setRequireClientCertificate(com.google.protobuf.BoolValue.of(true));
      if (tls.credentialName() != null && !tls.credentialName().isEmpty()) {
        // Istio: the client CA of a credentialName server is the same Secret's ca.crt, served as NAME-cacert
        common.setValidationContextSdsSecretConfig(SdsSecretConfig.newBuilder().setName("kubernetes://" + tls.credentialName() + "-cacert")
            .setSdsConfig(Protos.ads()));
      } else if (tls.caCertificates() != null) {
        common.setValidationContext(io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext.newBuilder()
            .setTrustedCa(DataSource.newBuilder().setFilename(tls.caCertificates())));
      }
    }
    ctx.setCommonTlsContext(common); // after the validation context: setting a builder copies its state at that moment
    return TransportSocket.newBuilder().setName(UpstreamTls.NAME).setTypedConfig(Protos.any(ctx.build())).build();
  }
}
