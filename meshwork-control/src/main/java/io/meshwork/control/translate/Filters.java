package io.meshwork.control.translate;

import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.filters.http.cors.v3.Cors;
import io.envoyproxy.envoy.extensions.filters.http.fault.v3.HTTPFault;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.Rds;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;

/** The network filters of generated listeners: the HTTP connection manager and the TCP proxy. */
final class Filters {
  static final String HCM = "envoy.filters.network.http_connection_manager";
  static final String TCP_PROXY = "envoy.filters.network.tcp_proxy";
  static final String ROUTER = "envoy.filters.http.router";

  private Filters() {}

  /** Istio's sidecar chain: fault, CORS, router (fault and CORS act only where a route configures them). */
  static HttpConnectionManager.Builder hcm(String statPrefix, boolean proxyless) {
    var b = HttpConnectionManager.newBuilder().setStatPrefix(statPrefix);
    if (!proxyless) {
      b.addHttpFilters(HttpFilter.newBuilder().setName(RouteBuilder.FAULT_FILTER).setTypedConfig(Protos.any(HTTPFault.getDefaultInstance())));
      b.addHttpFilters(HttpFilter.newBuilder().setName(RouteBuilder.CORS_FILTER).setTypedConfig(Protos.any(Cors.getDefaultInstance())));
    }
    b.addHttpFilters(HttpFilter.newBuilder().setName(ROUTER).setTypedConfig(Protos.any(Router.getDefaultInstance())));
    return b;
  }

  static Filter rds(String statPrefix, String routeName, boolean proxyless) {
    var hcm = hcm(statPrefix, proxyless).setRds(Rds.newBuilder().setConfigSource(Protos.ads()).setRouteConfigName(routeName));
    return Filter.newBuilder().setName(HCM).setTypedConfig(Protos.any(hcm.build())).build();
  }

  static Filter inlineRoutes(String statPrefix, RouteConfiguration rc) {
    var hcm = hcm(statPrefix, false).setRouteConfig(rc);
    return Filter.newBuilder().setName(HCM).setTypedConfig(Protos.any(hcm.build())).build();
  }

  static Filter tcpProxy(String statPrefix, String cluster) {
    return Filter.newBuilder().setName(TCP_PROXY)
        .setTypedConfig(Protos.any(TcpProxy.newBuilder().setStatPrefix(statPrefix).setCluster(cluster).build())).build();
  }

  static Filter tcpProxy(String statPrefix, TcpProxy.WeightedCluster weighted) {
    return Filter.newBuilder().setName(TCP_PROXY)
        .setTypedConfig(Protos.any(TcpProxy.newBuilder().setStatPrefix(statPrefix).setWeightedClusters(weighted).build())).build();
  }
}
