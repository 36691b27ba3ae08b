package io.meshwork.control.translate;

import com.google.protobuf.util.JsonFormat;
import io.envoyproxy.envoy.extensions.filters.http.cors.v3.Cors;
import io.envoyproxy.envoy.extensions.filters.http.cors.v3.CorsPolicy;
import io.envoyproxy.envoy.extensions.filters.http.fault.v3.HTTPFault;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;

/** Every message type the translator packs into an {@code Any}, for printing resources as JSON (config dump, goldens). */
public final class JsonTypes {
  private static final JsonFormat.Printer PRINTER = JsonFormat.printer().usingTypeRegistry(JsonFormat.TypeRegistry.newBuilder()
      .add(HttpConnectionManager.getDescriptor()).add(Router.getDescriptor()).add(TcpProxy.getDescriptor())
      .add(HTTPFault.getDescriptor()).add(Cors.getDescriptor()).add(CorsPolicy.getDescriptor())
      .add(UpstreamTlsContext.getDescriptor())
      .add(io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext.getDescriptor())
      .add(io.envoyproxy.envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector.getDescriptor()).build());

  private JsonTypes() {}

  public static JsonFormat.Printer printer() {
    return PRINTER;
  }
}
