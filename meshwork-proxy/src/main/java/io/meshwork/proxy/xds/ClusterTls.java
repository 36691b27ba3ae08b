package io.meshwork.proxy.xds;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.meshwork.proxy.config.ClusterConfig;
import io.meshwork.proxy.config.ConfigException;
import io.meshwork.proxy.config.EndpointConfig;
import io.meshwork.proxy.config.TlsTranslation;
import io.meshwork.proxy.config.UpstreamTlsConfig;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashSet;

/**
 * A cluster's upstream TLS: its {@code transport_socket}, and Istio's auto mTLS
 * {@code transport_socket_matches} ({@code match: {tlsMode: istio}} for endpoints whose metadata
 * {@code envoy.transport_socket_match} says {@code tlsMode: istio}, and an empty match for the
 * rest). Other match criteria are rejected with their path.
 *
 * @param tls the socket of endpoints without a match (null: plaintext)
 * @param istioTls the socket of {@code tlsMode: istio} endpoints, or null
 */
record ClusterTls(UpstreamTlsConfig tls, UpstreamTlsConfig istioTls) {
  static final String MATCH_KEY = "envoy.transport_socket_match";

  static ClusterTls of(Cluster c, String path) throws ConfigException {
    if (!c.hasTransportSocket() && c.getTransportSocketMatchesCount() == 0) {
      return null;
    }
    UpstreamTlsConfig tls = c.hasTransportSocket() ? TlsTranslation.upstream(c.getTransportSocket(), path + ".transport_socket") : null;
    UpstreamTlsConfig istio = null;
    boolean fallbackSeen = false;
    for (int i = 0; i < c.getTransportSocketMatchesCount(); i++) {
      var m = c.getTransportSocketMatches(i);
      var mp = path + ".transport_socket_matches[" + i + "]";
      var fields = m.getMatch().getFieldsMap();
      var socket = TlsTranslation.upstream(m.getTransportSocket(), mp + ".transport_socket");
      if (fields.isEmpty()) {
        if (!fallbackSeen) {
          tls = socket; // the first empty match catches every endpoint the earlier matches did not
          fallbackSeen = true;
        }
      } else if (fields.size() == 1 && fields.containsKey("tlsMode") && fields.get("tlsMode").getStringValue().equals("istio")) {
        if (!fallbackSeen && istio == null) {
          istio = socket;
        }
      } else {
        throw new ConfigException(mp + ".match", "only Istio's auto mTLS matches ({tlsMode: istio} and {}) are supported");
      }
    }
    return new ClusterTls(tls, istio);
  }

  /** The cluster with its TLS, endpoints marked from their metadata. */
  ClusterConfig apply(ClusterConfig built, ClusterLoadAssignment cla) {
    var marked = new HashSet<InetSocketAddress>();
    for (var locality : cla.getEndpointsList()) {
      for (var e : locality.getLbEndpointsList()) {
        var md = e.getMetadata().getFilterMetadataMap().get(MATCH_KEY);
        if (md != null && md.getFieldsMap().containsKey("tlsMode") && md.getFieldsMap().get("tlsMode").getStringValue().equals("istio")) {
          var a = e.getEndpoint().getAddress().getSocketAddress();
          marked.add(new InetSocketAddress(a.getAddress(), a.getPortValue()));
        }
      }
    }
    var endpoints = new ArrayList<EndpointConfig>();
    for (var e : built.endpoints()) {
      endpoints.add(new EndpointConfig(e.address(), e.weight(), e.priority(), e.healthy(), marked.contains(e.address())));
    }
    return built.withTls(tls, istioTls, endpoints);
  }
}
