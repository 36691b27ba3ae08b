package io.meshwork.control.xds;

import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.meshwork.config.ResourceKey;
import io.meshwork.control.registry.AutoRegistration;
import io.meshwork.control.store.ConfigStore;
import io.meshwork.control.translate.MeshContext;
import io.meshwork.control.translate.ProxyResources;
import io.meshwork.control.translate.Translator;
import io.meshwork.xds.client.NodeInfo;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The ADS server on 15010. Store changes are debounced (a push starts once the store has been
 * quiet for the debounce period, or at the latest after ten periods of constant change); a push
 * rebuilds the registry once, translates per connected proxy and sends each only what changed.
 */
public final class XdsServer implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(XdsServer.class.getName());

  private final ConfigStore store;
  private final AutoRegistration autoRegistration;
  private final boolean allowAny;
  private final long debounceNanos;
  private final XdsMetrics metrics = new XdsMetrics();
  private final Set<ProxyConnection> connections = ConcurrentHashMap.newKeySet();
  private final ScheduledExecutorService timer;
  private final AtomicLong versions = new AtomicLong();
  private final AtomicLong nonces = new AtomicLong();
  private volatile MeshContext context;
  private Server server;
  private ScheduledFuture<?> scheduled;
  private long firstEventNanos;
  private long lastEventNanos;

  public XdsServer(ConfigStore store, Duration autoRegistrationGrace, Duration debounce, boolean allowAny) {
    this.store = store;
    this.allowAny = allowAny;
    this.debounceNanos = debounce.toNanos();
    this.timer = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("xds-push").daemon().factory());
    this.autoRegistration = new AutoRegistration(store, autoRegistrationGrace, timer);
    this.context = MeshContext.of(store.snapshot(), allowAny);
    store.watch(e -> onStoreChange());
  }

  /** Binds the gRPC server; a port in use is an {@link IOException} whose cause is a BindException. */
  public XdsServer start(String host, int port) throws IOException {
    server = NettyServerBuilder.forAddress(new InetSocketAddress(host, port)).addService(new Ads())
        .permitKeepAliveWithoutCalls(true).permitKeepAliveTime(5, TimeUnit.SECONDS).build().start();
    return this;
  }

  public int port() {
    return server.getPort();
  }

  public XdsMetrics metrics() {
    return metrics;
  }

  public MeshContext context() {
    return context;
  }

  private synchronized void onStoreChange() {
    metrics.debouncedEvents.increment();
    long now = System.nanoTime();
    if (scheduled == null) {
      firstEventNanos = now;
    }
    lastEventNanos = now;
    if (scheduled == null) {
      scheduled = timer.schedule(this::debounceCheck, debounceNanos, TimeUnit.NANOSECONDS);
    }
  }

  private void debounceCheck() {
    synchronized (this) {
      long now = System.nanoTime();
      boolean quiet = now - lastEventNanos >= debounceNanos;
      boolean tooLong = now - firstEventNanos >= 10 * debounceNanos;
      if (!quiet && !tooLong) {
        scheduled = timer.schedule(this::debounceCheck, debounceNanos - (now - lastEventNanos), TimeUnit.NANOSECONDS);
        return;
      }
      scheduled = null;
    }
    push();
  }

  private volatile io.meshwork.control.observability.MeshTelemetry meshTelemetry =
      io.meshwork.control.observability.MeshTelemetry.NONE;

  /** Sets the mesh-wide telemetry (tracing providers, default sampling, access logs) and pushes. */
  public void meshTelemetry(io.meshwork.control.observability.MeshTelemetry t) {
    meshTelemetry = t;
    push();
  }

  /** Rebuilds the mesh view and pushes to every connected proxy (the debouncer calls this; tests may too). */
  public void push() {
    long start = System.nanoTime();
    try {
      var ctx = MeshContext.next(context, store.snapshot(), allowAny);
      rotateWires();
      synchronized (contextLock) {
        if (ctx.revision() >= context.revision()) {
          context = ctx;
        }
      }
      var conns = new ArrayList<>(connections);
      try (var exec = Executors.newVirtualThreadPerTaskExecutor()) {
        for (var c : conns) {
          exec.submit(() -> {
            try {
              var node = c.node();
              if (node != null) {
                c.push(io.meshwork.control.observability.TelemetryDecorator.apply(Translator.translate(ctx, node), ctx, node,
                    meshTelemetry));
              }
            } catch (RuntimeException e) {
              LOG.log(Level.WARNING, "push to " + c.node().id() + " failed", e);
            }
          });
        }
      }
    } finally {
      metrics.pushed(System.nanoTime() - start);
    }
  }

  ProxyResources translate(NodeInfo node) {
    var ctx = freshContext();
    return io.meshwork.control.observability.TelemetryDecorator.apply(Translator.translate(ctx, node), ctx, node, meshTelemetry);
  }

  /**
   * The mesh view for a proxy that just connected: when the store changed after the last push (a
   * debounced push is pending), the view is rebuilt now, so a proxy that connects right after an
   * apply returned starts from that apply (read-your-writes) instead of from the state a debounce
   * period earlier; the pending push then changes nothing for it.
   */
  private MeshContext freshContext() {
    var ctx = context;
    var snap = store.snapshot();
    if (snap.revision() == ctx.revision()) {
      return ctx;
    }
    synchronized (contextLock) {
      ctx = context;
      if (ctx.revision() < snap.revision()) {
        ctx = MeshContext.next(ctx, snap, allowAny);
        context = ctx;
      }
      return ctx;
    }
  }

  private final Object contextLock = new Object();

  ResourceKey connected(ProxyConnection c) {
    connections.add(c);
    metrics.connected.incrementAndGet();
    LOG.info("proxy " + c.node().id() + " connected");
    return autoRegistration.connected(c.node());
  }

  void disconnected(ProxyConnection c, ResourceKey registered) {
    if (connections.remove(c)) {
      metrics.connected.decrementAndGet();
      LOG.info("proxy " + c.node().id() + " disconnected");
    }
    autoRegistration.disconnected(registered);
  }

  /**
   * A resource as it goes on the wire: its version hash and its packed {@code Any}, computed once
   * per resource content and shared by every proxy and every push that sends it. Resources kept
   * across revisions (see {@link MeshContext#next}) are found again by identity, so a push that
   * changes one route configuration serializes and hashes that one, not the whole mesh. Two
   * generations are kept: what the previous push used and what the current one uses.
   */
  Wire wire(com.google.protobuf.Message m) {
    var cur = wires;
    var key = new Identity(m);
    var w = cur.get(key);
    if (w == null) {
      w = previousWires.get(key);
      if (w == null) {
        w = new Wire(Hashes.of(m), com.google.protobuf.Any.pack(m));
      }
      var prior = cur.putIfAbsent(key, w);
      if (prior != null) {
        w = prior;
      }
    }
    return w;
  }

  /** A resource's version hash (see {@link #wire}). */
  String hash(com.google.protobuf.Message m) {
    return wire(m).hash();
  }

  private void rotateWires() {
    synchronized (contextLock) {
      previousWires = wires;
      wires = new ConcurrentHashMap<>();
    }
  }

  /** A resource's version and its serialized form. */
  record Wire(String hash, com.google.protobuf.Any any) {}

  /**
   * A resource compared by identity: protobuf's {@code equals} walks the whole message, and the
   * same instance is what sharing (memo, carry-over) produces; an equal copy is merely hashed again.
   */
  private record Identity(com.google.protobuf.Message m) {
    @Override
    public boolean equals(Object o) {
      return o instanceof Identity i && i.m == m;
    }

    @Override
    public int hashCode() {
      return System.identityHashCode(m);
    }
  }

  private volatile ConcurrentHashMap<Identity, Wire> wires = new ConcurrentHashMap<>();
  private volatile ConcurrentHashMap<Identity, Wire> previousWires = new ConcurrentHashMap<>();

  String nextVersion() {
    return Long.toString(versions.incrementAndGet());
  }

  String nextNonce() {
    return Long.toString(nonces.incrementAndGet(), 36);
  }

  /** Every connected proxy's sync state. */
  public List<ProxyStatus> proxies() {
    return connections.stream().filter(c -> c.node() != null).map(ProxyConnection::status)
        .sorted(java.util.Comparator.comparing(ProxyStatus::id)).toList();
  }

  /** What every connected proxy said about itself (node metadata), by id; the console finds metrics targets here. */
  public List<NodeInfo> nodes() {
    return connections.stream().map(ProxyConnection::node).filter(java.util.Objects::nonNull).distinct()
        .sorted(java.util.Comparator.comparing(NodeInfo::id)).toList();
  }

  /** The resources last computed for a proxy (id, or a unique prefix of it / its workload name), or null. */
  public ProxyResources resources(String proxy) {
    ProxyConnection found = null;
    for (var c : connections) {
      var n = c.node();
      if (n == null) {
        continue;
      }
      if (n.id().equals(proxy)) {
        return c.resources();
      }
      if (n.id().contains(proxy) || (n.workloadName() + "." + n.namespace()).equals(proxy)) {
        found = c;
      }
    }
    return found == null ? null : found.resources();
  }

  @Override
  public void close() {
    if (server != null) {
      server.shutdownNow();
      try {
        server.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    timer.shutdownNow();
  }

  /** The gRPC service: one {@link ProxyConnection} per stream. */
  private final class Ads extends AggregatedDiscoveryServiceGrpc.AggregatedDiscoveryServiceImplBase {
    @Override
    public StreamObserver<DiscoveryRequest> streamAggregatedResources(StreamObserver<DiscoveryResponse> out) {
      var c = new ProxyConnection(XdsServer.this, out, null);
      return new StreamObserver<>() {
        @Override
        public void onNext(DiscoveryRequest r) {
          c.onSotw(r);
        }

        @Override
        public void onError(Throwable t) {
          c.close();
        }

        @Override
        public void onCompleted() {
          c.close();
          out.onCompleted();
        }
      };
    }

    @Override
    public StreamObserver<DeltaDiscoveryRequest> deltaAggregatedResources(StreamObserver<DeltaDiscoveryResponse> out) {
      var c = new ProxyConnection(XdsServer.this, null, out);
      return new StreamObserver<>() {
        @Override
        public void onNext(DeltaDiscoveryRequest r) {
          c.onDelta(r);
        }

        @Override
        public void onError(Throwable t) {
          c.close();
        }

        @Override
        public void onCompleted() {
          c.close();
          out.onCompleted();
        }
      };
    }
  }
}
