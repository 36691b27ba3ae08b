package io.meshwork.proxy.xds;

import io.meshwork.proxy.ProxyServer;
import io.meshwork.proxy.ProxyStartException;
import io.meshwork.proxy.config.ConfigException;
import io.meshwork.proxy.config.ProxyConfig;
import io.meshwork.xds.client.NodeInfo;
import io.meshwork.xds.client.XdsClient;
import io.meshwork.xds.client.XdsHandler;
import io.meshwork.xds.client.XdsSnapshot;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A proxy that follows a control plane: it starts with no listeners (admin only), connects with
 * {@link XdsClient}, and applies each complete snapshot through {@link ProxyServer#update}, so
 * in-flight requests finish on the configuration they started with. A snapshot that cannot be
 * honoured is answered with {@link XdsHandler.Verdict#reject} (a NACK carrying the field path)
 * and the last good configuration keeps serving; so does a lost control plane, while the client
 * reconnects with backoff.
 */
public final class XdsProxy implements AutoCloseable {
  private final ProxyServer server;
  private final XdsConfigBuilder.Options options;
  private final PrintStream progress;
  private final CountDownLatch firstApplied = new CountDownLatch(1);
  private volatile XdsClient client;
  private volatile io.meshwork.proxy.mtls.WorkloadAgent agent;
  private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();
  private volatile String lastRejection = "";
  private long version;

  private XdsProxy(ProxyServer server, XdsConfigBuilder.Options options, PrintStream progress) {
    this.server = server;
    this.options = options;
    this.progress = progress;
  }

  /**
   * Starts the proxy (admin on {@code admin} if not null) and connects to {@code target}. Local mode
   * (the only mode for now): only listeners at the node's upstream bind addresses are bound, and for
   * a gateway node ({@link NodeInfo#isGateway()}) its server ports, on the node's first address.
   */
  public static XdsProxy start(String target, NodeInfo node, InetSocketAddress admin, int threads, PrintStream accessLog,
      PrintStream progress) throws ProxyStartException {
    return start(target, node, admin, defaultPrometheus(admin), threads, accessLog, progress, null);
  }

  /** As the full form, with the default Prometheus endpoint and a workload identity (null: none). */
  public static XdsProxy start(String target, NodeInfo node, InetSocketAddress admin, int threads, PrintStream accessLog,
      PrintStream progress, io.meshwork.proxy.mtls.WorkloadAgent.Options identity) throws ProxyStartException {
    return start(target, node, admin, defaultPrometheus(admin), threads, accessLog, progress, identity);
  }

  /** Istio's admin port; a proxy that uses it gets the Prometheus endpoint on Istio's {@value #PROMETHEUS_PORT}. */
  public static final int ADMIN_PORT = 15000;
  /** Istio's Prometheus port ({@code :15090/stats/prometheus}). */
  public static final int PROMETHEUS_PORT = 15090;

  /**
   * Where the Prometheus endpoint goes when not chosen: on the admin address's host, port
   * {@value #PROMETHEUS_PORT} when the admin port is Istio's {@value #ADMIN_PORT} (the demo gives
   * each proxy its own loopback address, so they do not collide), otherwise an ephemeral port
   * (printed at start), since several proxies with custom admin ports may share one address.
   * Null (none) without an admin address.
   */
  public static InetSocketAddress defaultPrometheus(InetSocketAddress admin) {
    if (admin == null) {
      return null;
    }
    return new InetSocketAddress(admin.getAddress(), admin.getPort() == ADMIN_PORT ? PROMETHEUS_PORT : 0);
  }

  /**
   * As {@link #start(String, NodeInfo, InetSocketAddress, int, PrintStream, PrintStream)}, with the
   * Prometheus endpoint on {@code prometheus} (null: none).
   */
  public static XdsProxy start(String target, NodeInfo node, InetSocketAddress admin, InetSocketAddress prometheus,
      int threads, PrintStream accessLog, PrintStream progress) throws ProxyStartException {
    return start(target, node, admin, prometheus, threads, accessLog, progress, null);
  }

  /**
   * Starts the proxy, with the Prometheus endpoint on {@code prometheus} (null: none) and a workload
   * identity: the certificate agent gets the first certificate (waiting up to 15 s) before the proxy
   * connects to xDS, so its first mTLS listeners can serve. The node's inbound ports (local mode)
   * are bound on its first address.
   *
   * @param identity the agent's options, or null for a proxy without a workload certificate
   */
  public static XdsProxy start(String target, NodeInfo node, InetSocketAddress admin, InetSocketAddress prometheus,
      int threads, PrintStream accessLog, PrintStream progress, io.meshwork.proxy.mtls.WorkloadAgent.Options identity)
      throws ProxyStartException {
    return start(target, node, admin, prometheus, threads, accessLog, progress, identity, Capture.of(node));
  }

  /** Istio's node metadata key for how the pod captures traffic ({@code REDIRECT} or {@code TPROXY}). */
  public static final String INTERCEPTION_MODE = NodeInfo.INTERCEPTION_MODE;

  /**
   * Capture mode: the pod's traffic is captured by iptables ({@code meshwork iptables}), so the
   * proxy binds virtualOutbound (15001) and virtualInbound (15006) and dispatches each connection
   * by its original destination ({@link CaptureListeners}).
   *
   * @param mode how the pod captures inbound traffic
   * @param threads the event loop threads (null: Netty's); a test passes threads that live in a
   *     pod's network namespace as uid 1337, where a real sidecar simply runs as uid 1337
   */
  public record Capture(io.meshwork.proxy.capture.InterceptionMode mode, java.util.concurrent.ThreadFactory threads) {
    public Capture {
      java.util.Objects.requireNonNull(mode, "mode");
    }

    /** From the node's {@value #INTERCEPTION_MODE} metadata, as Istio's sidecar injector sets it; null: no capture. */
    static Capture of(NodeInfo node) {
      var m = node.extraMetadata().get(INTERCEPTION_MODE);
      if (m == null || m.isBlank() || m.equalsIgnoreCase("NONE")) {
        return null;
      }
      try {
        return new Capture(io.meshwork.proxy.capture.InterceptionMode.valueOf(m.trim().toUpperCase(java.util.Locale.ROOT)), null);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("node metadata " + INTERCEPTION_MODE + " \"" + m + "\" is not REDIRECT or TPROXY");
      }
    }
  }

  /**
   * The full form: as above, and in capture mode when {@code capture} is not null (the node's
   * {@value #INTERCEPTION_MODE} metadata is then set to its mode, so the control plane knows).
   */
  public static XdsProxy start(String target, NodeInfo node, InetSocketAddress admin, InetSocketAddress prometheus,
      int threads, PrintStream accessLog, PrintStream progress, io.meshwork.proxy.mtls.WorkloadAgent.Options identity,
      Capture capture) throws ProxyStartException {
    if (capture != null && !capture.mode().name().equals(node.extraMetadata().get(INTERCEPTION_MODE))) {
      node = node.withMetadata(INTERCEPTION_MODE, capture.mode().name());
    }
    var binds = new java.util.ArrayList<>(node.upstreamBinds().values().stream().map(XdsProxy::socketAddress).toList());
    if (!node.ips().isEmpty()) {
      var ip = node.ips().getFirst();
      node.inboundPorts().values().forEach(p -> binds.add(new InetSocketAddress(ip, p)));
    }
    var gatewayHost = node.isGateway() && !node.ips().isEmpty() ? node.ips().getFirst() : null;
    var options = new XdsConfigBuilder.Options(node.id(), admin, capture == null, java.util.Set.copyOf(binds), gatewayHost,
        capture == null ? null : capture.mode());
    var empty = new ProxyConfig(0, node.id(), admin, List.of(), Map.of(), Map.of());
    var server = ProxyServer.start(empty, threads, accessLog, capture == null ? null : capture.threads());
    server.telemetry().localNode(node.toNode());
    if (prometheus != null) {
      try {
        int port = server.bindPrometheus(prometheus);
        progress.println("meshwork proxy: Prometheus metrics on http://" + prometheus.getHostString() + ":" + port
            + "/stats/prometheus");
        if (!node.extraMetadata().containsKey(NodeInfo.PROMETHEUS_ADDRESS)) {
          node = node.withMetadata(NodeInfo.PROMETHEUS_ADDRESS, prometheus.getHostString() + ":" + port);
        }
      } catch (ProxyStartException e) {
        server.close();
        throw e;
      }
    }
    var proxy = new XdsProxy(server, options, progress);
    if (identity != null) {
      var secrets = new io.meshwork.proxy.mtls.SecretStore();
      proxy.server.tls().secrets(secrets);
      try {
        proxy.agent = io.meshwork.proxy.mtls.WorkloadAgent.start(identity, secrets);
        progress.println("meshwork proxy: requesting a certificate for " + identity.identity() + " from " + identity.caAddress()
            + " (TLS provider " + io.meshwork.proxy.tls.TlsContexts.provider() + ")");
        progress.flush();
        if (secrets.awaitFirst(java.time.Duration.ofSeconds(15))) {
          var c = secrets.current().credentials();
          progress.println("meshwork proxy: certificate for " + identity.identity() + " valid until " + c.notAfter());
        } else {
          progress.println("meshwork proxy: no certificate yet (still trying); mTLS connections fail until one arrives");
        }
      } catch (java.io.IOException e) {
        proxy.close();
        throw new ProxyStartException(e.getMessage(), e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        proxy.close();
        throw new ProxyStartException("interrupted while waiting for the first certificate", e);
      }
    }
    if (admin != null && proxy.server.adminPort() > 0 && !node.extraMetadata().containsKey(NodeInfo.ADMIN_ADDRESS)) {
      // The console finds this proxy's /stats/prometheus through the control plane (node metadata).
      node = node.withMetadata(NodeInfo.ADMIN_ADDRESS, admin.getHostString() + ":" + proxy.server.adminPort());
    }
    progress.println("meshwork proxy: connecting to control plane " + target + " as " + node.id());
    progress.flush();
    proxy.client = XdsClient.start(target, node, proxy::apply);
    var client = proxy.client;
    server.telemetry().xdsConnected(client::connected);
    return proxy;
  }

  private synchronized XdsHandler.Verdict apply(XdsSnapshot snapshot) {
    long next = version + 1;
    XdsConfigBuilder.Built built;
    var previous = server.snapshots().current().config();
    try {
      built = XdsConfigBuilder.build(snapshot, next, options);
      try {
        server.update(built.config());
      } catch (ProxyStartException e) {
        // update swaps the snapshot before binding new listeners: put the last good config back whole.
        try {
          server.update(previous);
        } catch (ProxyStartException again) {
          progress.println("meshwork proxy: could not restore version " + version + ": " + again.getMessage());
        }
        throw e;
      }
    } catch (ConfigException | ProxyStartException e) {
      lastRejection = e.getMessage();
      server.telemetry().xdsRejected();
      progress.println("meshwork proxy: rejected configuration (NACK), still serving version " + version + ": " + e.getMessage());
      progress.flush();
      return XdsHandler.Verdict.reject(e.getMessage());
    }
    version = next;
    server.telemetry().xdsAccepted(next);
    var config = built.config();
    boolean first = firstApplied.getCount() > 0;
    progress.println("meshwork proxy: " + (first ? "first configuration" : "configuration") + " applied (version " + next + "): "
        + (config.listeners().size() - config.capture().internal().size()) + " listener(s) bound, " + built.unbound().size() + " not bound, "
        + config.clusters().size() + " cluster(s)");
    if (first) {
      built.unbound().forEach((name, why) -> progress.println("meshwork proxy:   listener " + name + " not bound: " + why));
      built.emptyClusters().forEach((name, why) -> progress.println("meshwork proxy:   cluster " + name + ": " + why));
      for (var l : config.listeners()) {
        if (config.capture().internal().contains(l.name())) {
          continue; // capture mode: reached by dispatch
        }
        progress.println("meshwork proxy:   listener " + l.name() + " on " + l.address().getHostString() + ":"
            + server.listenerPort(l.name()));
      }
      progress.println("meshwork proxy: ready");
    }
    progress.flush();
    firstApplied.countDown();
    return XdsHandler.Verdict.ACCEPT;
  }

  /** Waits until a first configuration has been applied; false on timeout. */
  public boolean awaitFirstConfig(Duration timeout) throws InterruptedException {
    return firstApplied.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** The version of the configuration being served (0: none yet). */
  public synchronized long version() {
    return version;
  }

  /** The reason of the last NACK, empty if none. */
  public String lastRejection() {
    return lastRejection;
  }

  public ProxyServer server() {
    return server;
  }

  public XdsClient client() {
    return client;
  }

  /** The certificate agent, or null for a proxy without a workload identity. */
  public io.meshwork.proxy.mtls.WorkloadAgent agent() {
    return agent;
  }

  static InetSocketAddress socketAddress(String hostPort) {
    int colon = hostPort.lastIndexOf(':');
    if (colon <= 0) {
      throw new IllegalArgumentException("\"" + hostPort + "\" is not HOST:PORT");
    }
    return new InetSocketAddress(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
  }

  @Override
  public void close() {
    if (closed.getAndSet(true)) {
      return; // the command closes on quit and again from its shutdown hook
    }
    var c = client;
    if (c != null) {
      c.close();
    }
    var a = agent;
    if (a != null) {
      a.close();
    }
    server.close();
  }
}
