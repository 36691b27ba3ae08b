package io.meshwork.xds;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.util.JsonFormat;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.access_loggers.file.v3.FileAccessLog;
import io.envoyproxy.envoy.extensions.access_loggers.stream.v3.StdoutAccessLog;
import io.envoyproxy.envoy.extensions.filters.http.cors.v3.CorsPolicy;
import io.envoyproxy.envoy.extensions.filters.http.cors.v3.Cors;
import io.envoyproxy.envoy.extensions.filters.http.fault.v3.HTTPFault;
import io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RBAC;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import java.util.List;

/**
 * The Envoy message types Meshwork understands inside {@code typed_config} (and the top-level xDS
 * resource types). One registry serves the bootstrap loader, the future xDS client and
 * {@code /config_dump}, so that a type known in one place is known everywhere.
 */
public final class EnvoyTypes {
  /** Type URL prefix used by Envoy for every {@code Any}. */
  public static final String TYPE_URL_PREFIX = "type.googleapis.com/";

  private static final List<Descriptor> EXTENSIONS = List.of(
      HttpConnectionManager.getDescriptor(),
      Router.getDescriptor(),
      TcpProxy.getDescriptor(),
      // listener filter before SNI/transport-protocol filter chain matching (the proxy inspects the ClientHello itself)
      io.envoyproxy.envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector.getDescriptor(),
      HTTPFault.getDescriptor(),
      Cors.getDescriptor(),
      CorsPolicy.getDescriptor(),
      RBAC.getDescriptor(),
      io.envoyproxy.envoy.extensions.filters.network.rbac.v3.RBAC.getDescriptor(),
      io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication.getDescriptor(),
      io.envoyproxy.envoy.extensions.filters.listener.http_inspector.v3.HttpInspector.getDescriptor(),
      io.envoyproxy.envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector.getDescriptor(),
      FileAccessLog.getDescriptor(),
      StdoutAccessLog.getDescriptor(),
      io.envoyproxy.envoy.extensions.access_loggers.filters.cel.v3.ExpressionFilter.getDescriptor(),
      io.envoyproxy.envoy.config.trace.v3.ZipkinConfig.getDescriptor(),
      io.envoyproxy.envoy.config.trace.v3.OpenTelemetryConfig.getDescriptor(),
      Listener.getDescriptor(),
      RouteConfiguration.getDescriptor(),
      Cluster.getDescriptor(),
      ClusterLoadAssignment.getDescriptor(),
      Secret.getDescriptor(),
      io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions.getDescriptor(),
      io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext.getDescriptor(),
      io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext.getDescriptor(),
      Bootstrap.getDescriptor(),
      io.envoyproxy.envoy.admin.v3.ConfigDump.getDescriptor(),
      io.envoyproxy.envoy.admin.v3.ClustersConfigDump.getDescriptor(),
      io.envoyproxy.envoy.admin.v3.ListenersConfigDump.getDescriptor(),
      io.envoyproxy.envoy.admin.v3.BootstrapConfigDump.getDescriptor(),
      io.envoyproxy.envoy.admin.v3.SecretsConfigDump.getDescriptor(),
      // Istio's stats plugin config (istio.stats HTTP filter) travels in a TypedStruct.
      com.github.xds.type.v3.TypedStruct.getDescriptor(),
      com.github.udpa.udpa.type.v1.TypedStruct.getDescriptor(),
      // Istio's istio.alpn HTTP filter config (no published Java class: declared by IstioAlpnFilter).
      IstioAlpnFilter.descriptor());

  private static final JsonFormat.TypeRegistry REGISTRY = JsonFormat.TypeRegistry.newBuilder().add(EXTENSIONS).build();

  private EnvoyTypes() {}

  /** The registry used to resolve {@code @type} in JSON/YAML and to print {@code Any} back. */
  public static JsonFormat.TypeRegistry registry() {
    return REGISTRY;
  }

  /** The descriptor for a type URL, or null when Meshwork does not know the type. */
  public static Descriptor find(String typeUrl) {
    int slash = typeUrl.lastIndexOf('/');
    return slash < 0 ? null : REGISTRY.find(typeUrl.substring(slash + 1));
  }

  /** The type URL of a message type, as Envoy writes it. */
  public static String typeUrl(Descriptor d) {
    return TYPE_URL_PREFIX + d.getFullName();
  }
}
