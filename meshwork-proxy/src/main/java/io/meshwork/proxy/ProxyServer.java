package io.meshwork.proxy;

import io.meshwork.proxy.accesslog.AccessLogWriter;
import io.meshwork.proxy.admin.AdminServer;
import io.meshwork.proxy.config.ListenerConfig;
import io.meshwork.proxy.config.ProxyConfig;
import io.meshwork.proxy.http.HttpListenerInitializer;
import io.meshwork.proxy.http.HttpServices;
import io.meshwork.proxy.http.PoolRegistry;
import io.meshwork.proxy.runtime.SnapshotHolder;
import io.meshwork.proxy.stats.Stats;
import io.meshwork.proxy.tcp.TcpListenerInitializer;
import io.meshwork.proxy.tls.TlsContexts;
import io.meshwork.proxy.transport.Transport;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A running proxy. {@link #start} binds every listener and the admin address; {@link #update}
 * publishes a new snapshot and reconciles listeners (new ones bound, removed ones stop accepting
 * while their open connections finish, moved ones rebound). Listener channels and the admin server
 * share one event loop group sized to the CPU count, like Envoy's worker threads.
 */
public final class ProxyServer implements AutoCloseable {
  private final Transport transport;
  private final EventLoopGroup group;
  private final Stats stats = new Stats();
  private final SnapshotHolder snapshots = new SnapshotHolder(stats);
  private final AccessLogWriter accessLog;
  private final io.meshwork.proxy.tracing.Tracer tracer;
  private final HttpServices httpServices;
  private final Map<String, Bound> listeners = new HashMap<>();
  /** The open connections of each bound listener, drained when an update removes the listener. */
  private final Map<String, io.meshwork.proxy.http.ConnectionDrain> listenerConnections = new HashMap<>();
  private Channel admin;
  private Channel prometheus;
  /** Set by {@link #drainListeners}: no later update binds a listener again (Envoy's drain is one-way). */
  private volatile boolean drained;

  private record Bound(ListenerConfig config, Channel channel) {}

  private volatile Runnable onQuit = this::close;
  private final java.util.concurrent.CountDownLatch closed = new java.util.concurrent.CountDownLatch(1);

  /** The admin operations, bound to this server. */
  private final class Actions implements io.meshwork.proxy.admin.AdminActions {
    @Override
    public void drainListeners() {
      ProxyServer.this.drainListeners();
    }

    @Override
    public void quit() {
      onQuit.run();
    }

    @Override
    public io.meshwork.proxy.mtls.SecretStore secrets() {
      return tls().secrets();
    }
  }

  /** Where listener sockets are created: null, the caller's thread; else one of the proxy's event loops. */
  private final java.util.concurrent.ThreadFactory threadFactory;

  private ProxyServer(int threads, PrintStream stdout, java.util.concurrent.ThreadFactory threadFactory) {
    transport = Transport.detect();
    this.threadFactory = threadFactory;
    group = transport.newGroup(threads, threadFactory);
    accessLog = new AccessLogWriter(stdout);
    var tls = new TlsContexts();
    tls.stats(stats);
    tracer = new io.meshwork.proxy.tracing.Tracer(snapshots, stats);
    stats.gauge("server.state", () -> drained ? 1 : 0); // Envoy's values: 0 LIVE, 1 DRAINING
    httpServices = new HttpServices(snapshots, new PoolRegistry(transport, tls), accessLog, tls,
        new io.meshwork.proxy.telemetry.ProxyTelemetry(), tracer);
  }

  /** The TLS contexts (the certificate agent installs its secret store here). */
  public TlsContexts tls() {
    return httpServices.tls();
  }

  /** Starts a proxy with one event loop per CPU, access logs to {@code System.out}. */
  public static ProxyServer start(ProxyConfig config) throws ProxyStartException {
    return start(config, Runtime.getRuntime().availableProcessors(), System.out);
  }

  public static ProxyServer start(ProxyConfig config, int threads, PrintStream stdout) throws ProxyStartException {
    return start(config, threads, stdout, null);
  }

  /**
   * As {@link #start(ProxyConfig, int, PrintStream)}, with event loop threads from {@code threadFactory}
   * (null: Netty's). With a factory, listener sockets are also created on those threads, so a proxy
   * whose threads live in a pod's network namespace listens and connects in that pod.
   */
  public static ProxyServer start(ProxyConfig config, int threads, PrintStream stdout,
      java.util.concurrent.ThreadFactory threadFactory) throws ProxyStartException {
    var server = new ProxyServer(threads, stdout, threadFactory);
    try {
      server.update(config);
      if (config.adminAddress() != null) {
        server.admin = bind("admin", () -> AdminServer.bind(server.transport, server.group, config.adminAddress(),
            server.snapshots, server.stats, server.new Actions(), server.httpServices.telemetry()), config.adminAddress());
      }
      return server;
    } catch (ProxyStartException | RuntimeException e) {
      server.close();
      throw e;
    }
  }

  /** Applies a new configuration: snapshot swap first, then listener reconciliation. */
  public synchronized void update(ProxyConfig config) throws ProxyStartException {
    for (var l : config.listeners().stream().flatMap(l -> l.withChains().stream()).toList()) {
      if (l.tls() != null) {
        try {
          httpServices.tls().validate(l.tls());
        } catch (javax.net.ssl.SSLException e) {
          throw new ProxyStartException("listener \"" + l.name() + "\": TLS certificate or key cannot be used ("
              + e.getMessage() + "); check the transport_socket's tls_certificates", e);
        }
      }
    }
    try {
      httpServices.telemetry().update(config);
    } catch (io.meshwork.proxy.config.ConfigException e) {
      throw new ProxyStartException(e.getMessage(), e);
    }
    snapshots.update(config);
    var wanted = new HashMap<String, ListenerConfig>();
    for (var l : config.listeners()) {
      if (!config.capture().internal().contains(l.name())) {
        wanted.put(l.name(), l); // capture mode: internal listeners are reached by dispatch, never bound
      }
    }
    for (var it = listeners.entrySet().iterator(); it.hasNext(); ) {
      var e = it.next();
      var next = wanted.get(e.getKey());
      if (next == null || !next.address().equals(e.getValue().config().address())
          || next.protocol().getClass() != e.getValue().config().protocol().getClass()
          || (next.chains() == null) != (e.getValue().config().chains() == null)) {
        e.getValue().channel().close().syncUninterruptibly(); // stop accepting; open connections drain
        it.remove();
        var open = listenerConnections.remove(e.getKey());
        if (open != null) {
          open.start(io.meshwork.proxy.http.ConnectionDrain.DRAIN_TIME, group.next());
        }
      }
    }
    if (drained) {
      return; // drained: the new snapshot serves open connections, but nothing accepts again
    }
    var capture = config.capture();
    for (var l : config.listeners()) {
      if (wanted.containsKey(l.name()) && !listeners.containsKey(l.name())) {
        boolean captures = capture.enabled() && (l.name().equals(capture.outboundListener()) || l.name().equals(capture.inboundListener()));
        var drain = new io.meshwork.proxy.http.ConnectionDrain();
        listenerConnections.put(l.name(), drain);
        var sb = transport.server(group).childHandler(drain.tracking(captures
            ? new io.meshwork.proxy.capture.CaptureInitializer(l.name().equals(capture.inboundListener()), l.name(), snapshots,
                this::initializer)
            : initializer(l)));
        if (captures && l.name().equals(capture.inboundListener()) && transport == Transport.EPOLL
            && capture.mode() == io.meshwork.proxy.capture.InterceptionMode.TPROXY) {
          // accepts what TPROXY delivers; outbound stays a nat REDIRECT (SO_ORIGINAL_DST), so not on 15001
          sb.option(io.netty.channel.epoll.EpollChannelOption.IP_TRANSPARENT, true);
        }
        var ch = bind("listener \"" + l.name() + "\"", () -> bindOnLoop(sb, l.address()), l.address());
        listeners.put(l.name(), new Bound(l, ch));
      }
    }
  }

  /** The child handler of a listener of the current snapshot, by name (capture dispatch); null if none. */
  private io.netty.channel.ChannelHandler initializer(String name) {
    return snapshots.current().config().listeners().stream().filter(l -> l.name().equals(name)).findFirst()
        .map(this::initializer).orElse(null);
  }

  private io.netty.channel.ChannelHandler initializer(ListenerConfig l) {
    if (l.chains() != null) {
      return new io.meshwork.proxy.chains.FilterChainInitializer(l.name(), snapshots, this::initializer);
    }
    return switch (l.protocol()) {
      case ListenerConfig.Http h -> new HttpListenerInitializer(l.name(), httpServices);
      case ListenerConfig.Tcp t -> new TcpListenerInitializer(l.name(), snapshots, transport, accessLog, stats,
          httpServices.tls(), httpServices.telemetry());
    };
  }

  /** Binds; with a thread factory the socket is created on an event loop (in the namespace of its threads). */
  private Channel bindOnLoop(io.netty.bootstrap.ServerBootstrap sb, InetSocketAddress address) throws Exception {
    if (threadFactory == null) {
      return sb.bind(address).sync().channel();
    }
    return group.next().submit(() -> sb.bind(address)).get().sync().channel();
  }

  private interface Binder {
    Channel bind() throws Exception;
  }

  private static Channel bind(String what, Binder binder, InetSocketAddress address) throws ProxyStartException {
    try {
      return binder.bind();
    } catch (Exception e) {
      throw new ProxyStartException(what + ": cannot bind " + address.getHostString() + ":" + address.getPort()
          + " (" + e.getMessage() + "); free the port or change the address in the bootstrap", e);
    }
  }

  /**
   * Stops accepting on every listener (Envoy's {@code /drain_listeners}); open connections finish.
   * The drain is sticky: a later {@link #update} (an xDS push arriving while the proxy winds down)
   * swaps the snapshot but binds no listener, so a proxy being replaced never takes new connections
   * back from its successor. Gauge {@code server.state} reads 1 (DRAINING) from then on.
   */
  public synchronized void drainListeners() {
    drained = true;
    for (var b : listeners.values()) {
      b.channel().close().syncUninterruptibly();
    }
    listeners.clear();
  }

  /** What {@code POST /quitquitquit} does; by default it closes this server. */
  public void onQuit(Runnable action) {
    onQuit = action;
  }

  /** Blocks until {@link #close} has completed. */
  public void awaitClosed() throws InterruptedException {
    closed.await();
  }

  /**
   * The identity of a listener's bound socket: unchanged while the listener stays bound across
   * updates (an SDS certificate rotation), new when it was closed and bound again.
   */
  public String listenerSocketId(String name) {
    var b = listeners.get(name);
    if (b == null) {
      throw new IllegalArgumentException("no listener named " + name);
    }
    return b.channel().id().asLongText();
  }

  /** The port a listener is bound to (useful when the bootstrap asked for port 0). */
  public int listenerPort(String name) {
    var b = listeners.get(name);
    if (b == null) {
      throw new IllegalArgumentException("no listener named " + name);
    }
    return ((InetSocketAddress) b.channel().localAddress()).getPort();
  }

  /**
   * Serves {@code /stats/prometheus} (Prometheus text, or OpenMetrics when asked) on a listener of
   * its own, as Istio's sidecar does on {@code :15090}, so a scraper never reaches the admin
   * operations. Returns the bound port.
   */
  public synchronized int bindPrometheus(InetSocketAddress address) throws ProxyStartException {
    if (prometheus != null) {
      throw new IllegalStateException("the Prometheus endpoint is already bound");
    }
    try {
      prometheus = AdminServer.bindPrometheus(transport, group, address, snapshots, stats, httpServices.telemetry());
    } catch (Exception e) {
      throw new ProxyStartException("Prometheus endpoint: cannot bind " + address.getHostString() + ":" + address.getPort()
          + " (" + e.getMessage() + "); free the port or choose another with --prometheus-port (-1: none)", e);
    }
    return prometheusPort();
  }

  /** The Prometheus endpoint's port, -1 when not bound. */
  public int prometheusPort() {
    return prometheus == null ? -1 : ((InetSocketAddress) prometheus.localAddress()).getPort();
  }

  /** The istio_* metrics, the peer metadata of this workload, the health gauges. */
  public io.meshwork.proxy.telemetry.ProxyTelemetry telemetry() {
    return httpServices.telemetry();
  }

  public int adminPort() {
    return admin == null ? -1 : ((InetSocketAddress) admin.localAddress()).getPort();
  }

  public Stats stats() {
    return stats;
  }

  public Transport transport() {
    return transport;
  }

  public SnapshotHolder snapshots() {
    return snapshots;
  }

  @Override
  public synchronized void close() {
    for (var b : listeners.values()) {
      b.channel().close();
    }
    listeners.clear();
    if (admin != null) {
      admin.close();
    }
    if (prometheus != null) {
      prometheus.close();
    }
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    accessLog.close();
    tracer.close();
    closed.countDown();
  }
}
