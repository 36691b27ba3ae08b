package io.meshwork.proxy.telemetry;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Struct;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.config.core.v3.TrafficDirection;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import io.meshwork.proxy.config.ConfigException;
import io.meshwork.proxy.config.ProxyConfig;
import io.netty.channel.Channel;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * A proxy's telemetry state: who this workload is (from the bootstrap or xDS node metadata), the
 * {@link IstioMetrics} store, and a view of the configuration that telemetry needs, rebuilt on
 * every update: each listener's direction (Envoy's {@code traffic_direction}; INBOUND listeners
 * report as {@code destination}) and its {@link StatsConfig}, each cluster's destination service,
 * and the workload of each endpoint from EDS metadata ({@code filter_metadata.istio.workload}).
 * Also holds the proxy-health gauges the Prometheus page shows (connections, requests in flight,
 * xDS state).
 */
public final class ProxyTelemetry {
  /** The HTTP filter (and listener filter-metadata key) carrying the stats config. */
  public static final String STATS_FILTER = "istio.stats";

  /** How a listener reports; UNSPECIFIED decides per request by the cluster ({@code inbound|...} is inbound). */
  enum Direction { INBOUND, OUTBOUND, UNSPECIFIED }

  record ListenerView(Direction direction, StatsConfig stats) {
    boolean inbound(String cluster) {
      return direction == Direction.INBOUND
          || direction == Direction.UNSPECIFIED && cluster != null && cluster.startsWith("inbound|");
    }
  }

  record View(Map<String, ListenerView> listeners, Map<String, DestinationService> services,
      Map<String, WorkloadMetadata> endpoints) {
    static final View EMPTY = new View(Map.of(), Map.of(), Map.of());

    ListenerView listener(String name) {
      var v = listeners.get(name);
      int chain = v == null ? name.lastIndexOf('#') : -1; // a filter chain (LISTENER#INDEX) counts as its listener
      if (chain > 0) {
        v = listeners.get(name.substring(0, chain));
      }
      return v != null ? v : new ListenerView(Direction.UNSPECIFIED, StatsConfig.DEFAULT);
    }

    DestinationService service(String cluster) {
      var s = services.get(cluster);
      return s != null ? s : DestinationService.ofCluster(cluster);
    }

    /** The service an inbound cluster's {@code istio.services} metadata names, or null (then the Host header decides). */
    DestinationService declaredService(String cluster) {
      var s = cluster == null ? null : services.get(cluster);
      return s != null && !s.namespace().equals(WorkloadMetadata.UNKNOWN) && !s.host().equals(WorkloadMetadata.UNKNOWN) ? s : null;
    }
  }

  private final IstioMetrics metrics;
  private volatile WorkloadMetadata local = new WorkloadMetadata("", "", "", "", Map.of(), "", WorkloadMetadata.DEFAULT_CLUSTER, "");
  private volatile String localHeader = local.toHeaderValue();
  private volatile View view = View.EMPTY;
  private final ConcurrentHashMap<String, WorkloadMetadata> peers = new ConcurrentHashMap<>();
  private final LongAdder activeConnections = new LongAdder();
  private final LongAdder activeRequests = new LongAdder();
  private volatile java.util.function.BooleanSupplier xdsConnected;
  private final AtomicLong xdsAcceptedVersion = new AtomicLong();
  private final LongAdder xdsRejects = new LongAdder();
  private volatile boolean enabled = true;

  public ProxyTelemetry() {
    this(new IstioMetrics());
  }

  public ProxyTelemetry(IstioMetrics metrics) {
    this.metrics = metrics;
  }

  public IstioMetrics metrics() {
    return metrics;
  }

  /** Turns recording of istio_* metrics off or on (the telemetry cost benchmark compares both). */
  public void enabled(boolean on) {
    enabled = on;
  }

  boolean enabled() {
    return enabled;
  }

  /** Sets this proxy's own workload from its node (bootstrap {@code node} or the xDS node). */
  public void localNode(Node node) {
    local = WorkloadMetadata.fromStruct(node.getId(), node.getMetadata());
    localHeader = local.toHeaderValue();
  }

  public WorkloadMetadata local() {
    return local;
  }

  String localHeader() {
    return localHeader;
  }

  /**
   * Rebuilds the telemetry view of {@code config} (called by {@code ProxyServer.update} before the
   * snapshot is published). A bootstrap's {@code node} (resource {@code node}) sets the local workload.
   *
   * @throws ConfigException when a stats config cannot be honoured, with its path
   */
  public void update(ProxyConfig config) throws ConfigException {
    var listeners = new HashMap<String, ListenerView>();
    var services = new HashMap<String, DestinationService>();
    var endpoints = new HashMap<String, WorkloadMetadata>();
    for (Map.Entry<String, Message> e : config.resources().entrySet()) {
      switch (e.getValue()) {
        case Node n -> localNode(n);
        case Listener l -> listeners.put(l.getName(), listenerView(l, "listeners[" + l.getName() + "]"));
        case Cluster c -> {
          services.put(c.getName(), DestinationService.ofClusterMetadata(c).orElse(DestinationService.ofCluster(c.getName())));
          endpoints(c.getLoadAssignment(), endpoints);
        }
        case ClusterLoadAssignment cla -> endpoints(cla, endpoints);
        default -> { }
      }
    }
    view = new View(Map.copyOf(listeners), Map.copyOf(services), Map.copyOf(endpoints));
  }

  private static ListenerView listenerView(Listener l, String path) throws ConfigException {
    var direction = switch (l.getTrafficDirection()) {
      case INBOUND -> Direction.INBOUND;
      case OUTBOUND -> Direction.OUTBOUND;
      default -> l.getName().equals("virtualInbound") ? Direction.INBOUND : Direction.UNSPECIFIED;
    };
    var stats = StatsConfig.DEFAULT;
    var md = l.getMetadata().getFilterMetadataMap().get(STATS_FILTER);
    if (md != null) {
      stats = StatsConfig.fromStruct(md, path + ".metadata.filter_metadata[" + STATS_FILTER + "]");
    }
    for (int i = 0; i < l.getFilterChainsCount(); i++) {
      var chain = l.getFilterChains(i);
      for (int j = 0; j < chain.getFiltersCount(); j++) {
        var any = chain.getFilters(j).getTypedConfig();
        var fPath = path + ".filter_chains[" + i + "].filters[" + j + "]";
        try {
          if (any.is(HttpConnectionManager.class)) {
            var hcm = any.unpack(HttpConnectionManager.class);
            for (int k = 0; k < hcm.getHttpFiltersCount(); k++) {
              var f = hcm.getHttpFilters(k);
              if (f.getName().equals(STATS_FILTER)) {
                stats = StatsConfig.fromStruct(typedStruct(f.getTypedConfig(), fPath + ".http_filters[" + k + "]"),
                    fPath + ".http_filters[" + k + "].typed_config.value");
              }
            }
          } else if (any.is(TcpProxy.class) && direction == Direction.UNSPECIFIED
              && any.unpack(TcpProxy.class).getCluster().startsWith("inbound|")) {
            direction = Direction.INBOUND;
          }
        } catch (InvalidProtocolBufferException ex) {
          throw new ConfigException(fPath + ".typed_config", "cannot be decoded (" + ex.getMessage() + ")");
        }
      }
    }
    return new ListenerView(direction, stats);
  }

  /** The Struct inside an {@code xds.type.v3.TypedStruct} or {@code udpa.type.v1.TypedStruct}. */
  static Struct typedStruct(com.google.protobuf.Any any, String path) throws ConfigException, InvalidProtocolBufferException {
    if (any.is(com.github.xds.type.v3.TypedStruct.class)) {
      return any.unpack(com.github.xds.type.v3.TypedStruct.class).getValue();
    }
    if (any.is(com.github.udpa.udpa.type.v1.TypedStruct.class)) {
      return any.unpack(com.github.udpa.udpa.type.v1.TypedStruct.class).getValue();
    }
    if (any.is(Struct.class)) {
      return any.unpack(Struct.class);
    }
    throw new ConfigException(path + ".typed_config", STATS_FILTER + " needs a TypedStruct carrying the stats config (got "
        + any.getTypeUrl() + ")");
  }

  private static void endpoints(ClusterLoadAssignment cla, Map<String, WorkloadMetadata> out) {
    for (var loc : cla.getEndpointsList()) {
      for (var lb : loc.getLbEndpointsList()) {
        var istio = lb.getMetadata().getFilterMetadataMap().get("istio");
        if (istio == null || !lb.getEndpoint().getAddress().hasSocketAddress()) {
          continue;
        }
        var w = istio.getFieldsMap().get("workload");
        var wm = w == null ? null : WorkloadMetadata.fromEndpointWorkload(w.getStringValue());
        if (wm != null) {
          var a = lb.getEndpoint().getAddress().getSocketAddress();
          out.put(a.getAddress() + ":" + a.getPortValue(), wm);
        }
      }
    }
  }

  View view() {
    return view;
  }

  /** The workload behind {@code ip:port} from EDS metadata, or null. */
  WorkloadMetadata endpoint(String hostPort) {
    return hostPort == null ? null : view.endpoints().get(hostPort);
  }

  /** Decodes a peer's header metadata, caching by value (peers repeat the same header on every request). */
  WorkloadMetadata peer(String id, String header) {
    if (header == null) {
      return null;
    }
    var cached = peers.get(header);
    if (cached != null) {
      return cached;
    }
    var m = WorkloadMetadata.fromHeaderValue(id, header);
    if (m != null) {
      if (peers.size() > 1024) {
        peers.clear();
      }
      peers.put(header, m);
    }
    return m;
  }

  /** Starts the telemetry of one HTTP request on {@code listener}. */
  public RequestTelemetry request(String listener, Channel downstream) {
    return new RequestTelemetry(this, view.listener(listener), downstream);
  }

  /** Starts the telemetry of one TCP connection on {@code listener} proxied to {@code cluster}. */
  public TcpTelemetry tcp(String listener, String cluster) {
    return new TcpTelemetry(this, view.listener(listener), cluster);
  }

  /** Counts a downstream connection as active until its channel closes. */
  public void connectionOpened(Channel ch) {
    activeConnections.increment();
    ch.closeFuture().addListener(f -> activeConnections.decrement());
  }

  LongAdder activeRequestsAdder() {
    return activeRequests;
  }

  public long activeConnections() {
    return activeConnections.sum();
  }

  public long activeRequests() {
    return activeRequests.sum();
  }

  /** Wires the xDS state gauges: whether the stream is up. */
  public void xdsConnected(java.util.function.BooleanSupplier connected) {
    xdsConnected = connected;
  }

  /** Records an accepted (ACK) configuration version. */
  public void xdsAccepted(long version) {
    xdsAcceptedVersion.set(version);
  }

  /** Records a rejected (NACK) configuration. */
  public void xdsRejected() {
    xdsRejects.increment();
  }

  /** The proxy's health gauges and counters, Prometheus text (xDS state, connections, requests, JVM). */
  public void renderHealth(StringBuilder sb, boolean openMetrics) {
    gauge(sb, "envoy_server_total_connections", activeConnections.sum());
    gauge(sb, "envoy_http_downstream_rq_active", activeRequests.sum());
    var connected = xdsConnected;
    if (connected != null) {
      gauge(sb, "meshwork_xds_connected", connected.getAsBoolean() ? 1 : 0);
      gauge(sb, "meshwork_xds_last_accepted_version", xdsAcceptedVersion.get());
      var name = openMetrics ? "meshwork_xds_rejects" : "meshwork_xds_rejects_total";
      sb.append("# TYPE ").append(name).append(" counter\nmeshwork_xds_rejects_total ").append(xdsRejects.sum()).append('\n');
    }
    JvmMetrics.render(sb, openMetrics);
  }

  static void gauge(StringBuilder sb, String name, long value) {
    sb.append("# TYPE ").append(name).append(" gauge\n").append(name).append(' ').append(value).append('\n');
  }
}
