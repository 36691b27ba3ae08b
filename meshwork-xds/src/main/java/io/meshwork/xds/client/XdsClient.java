package io.meshwork.xds.client;

import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * An ADS (state of the world) client. It subscribes to clusters and listeners, then to the
 * endpoints and routes they name, and offers the {@link XdsHandler} each complete snapshot; the
 * handler's verdict is sent back as ACK or NACK (with its reason). When the stream fails it
 * reconnects with exponential backoff (jittered, {@code initialBackoff} doubling up to
 * {@code maxBackoff}), re-subscribing with the versions it holds; meanwhile the last accepted
 * snapshot stays the caller's state, since the client never withdraws it.
 *
 * <p>All state changes and handler calls happen on one thread, so the handler needs no locking.
 */
public final class XdsClient implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(XdsClient.class.getName());

  private final ManagedChannel channel;
  private final XdsHandler handler;
  private final AdsState state;
  private final ScheduledExecutorService exec;
  private final Duration initialBackoff;
  private final Duration maxBackoff;
  private long backoffMs;
  private StreamObserver<DiscoveryRequest> requests;
  private int streamId;
  private volatile boolean connected;
  private volatile boolean closed;
  private volatile String lastError = "";
  private java.util.concurrent.ScheduledFuture<?> warmingTimer;
  /** How long responses wait for the endpoints and routes they reference, as Envoy's initial_fetch_timeout. */
  static final Duration WARMING_TIMEOUT = Duration.ofSeconds(15);

  private XdsClient(String target, NodeInfo node, XdsHandler handler, Duration initialBackoff, Duration maxBackoff) {
    this.channel = NettyChannelBuilder.forTarget(target).usePlaintext().keepAliveTime(30, TimeUnit.SECONDS).build();
    this.handler = handler;
    this.state = new AdsState(node.toNode());
    this.initialBackoff = initialBackoff;
    this.maxBackoff = maxBackoff;
    this.backoffMs = initialBackoff.toMillis();
    this.exec = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("xds-client").daemon().factory());
  }

  /** Connects to {@code target} ({@code host:port}) and starts subscribing. */
  public static XdsClient start(String target, NodeInfo node, XdsHandler handler) {
    return start(target, node, handler, Duration.ofMillis(100), Duration.ofSeconds(30));
  }

  public static XdsClient start(String target, NodeInfo node, XdsHandler handler, Duration initialBackoff, Duration maxBackoff) {
    var c = new XdsClient(target, node, handler, initialBackoff, maxBackoff);
    c.exec.execute(c::connect);
    return c;
  }

  /** The last snapshot the handler accepted (empty before the first). */
  public XdsSnapshot current() {
    return state.current();
  }

  /** Whether a stream is open and has received a response. */
  public boolean connected() {
    return connected;
  }

  /** Why the last stream ended, empty if none did. */
  public String lastError() {
    return lastError;
  }

  private void connect() {
    if (closed) {
      return;
    }
    int id = ++streamId;
    requests = AggregatedDiscoveryServiceGrpc.newStub(channel).streamAggregatedResources(new StreamObserver<>() {
      @Override
      public void onNext(DiscoveryResponse r) {
        run(() -> onResponse(id, r));
      }

      @Override
      public void onError(Throwable t) {
        run(() -> onClosed(id, t.getMessage()));
      }

      @Override
      public void onCompleted() {
        run(() -> onClosed(id, "the server closed the stream"));
      }
    });
    send(state.start());
  }

  private void run(Runnable r) {
    try {
      exec.execute(r);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // closing
    }
  }

  private void onResponse(int id, DiscoveryResponse r) {
    if (id != streamId || closed) {
      return;
    }
    connected = true;
    backoffMs = initialBackoff.toMillis();
    offer(state.onResponse(r));
    if (state.warming() && warmingTimer == null) {
      warmingTimer = exec.schedule(() -> {
        warmingTimer = null;
        if (id == streamId && state.warming()) {
          LOG.warning("xDS resources referenced by clusters or listeners did not arrive within " + WARMING_TIMEOUT.toSeconds()
              + " s; applying the configuration with empty endpoints/routes in their place");
          offer(state.forceOffer());
        }
      }, WARMING_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } else if (!state.warming() && warmingTimer != null) {
      warmingTimer.cancel(false);
      warmingTimer = null;
    }
  }

  private void offer(AdsState.Step step) {
    send(step.requests());
    if (step.offer() != null) {
      XdsHandler.Verdict v;
      try {
        v = handler.apply(step.offer());
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "the xDS handler failed", e);
        v = XdsHandler.Verdict.reject("internal error applying the config: " + e);
      }
      send(state.verdict(step.offer(), v));
    }
  }

  private void onClosed(int id, String why) {
    if (id != streamId || closed) {
      return;
    }
    connected = false;
    lastError = why == null ? "" : why;
    long delay = ThreadLocalRandom.current().nextLong(backoffMs / 2, backoffMs + 1);
    LOG.info("xDS stream closed (" + lastError + "); keeping the last config, reconnecting in " + delay + " ms");
    backoffMs = Math.min(maxBackoff.toMillis(), backoffMs * 2);
    exec.schedule(this::connect, delay, TimeUnit.MILLISECONDS);
  }

  private void send(List<DiscoveryRequest> reqs) {
    for (var r : reqs) {
      try {
        requests.onNext(r);
      } catch (RuntimeException e) {
        LOG.fine("cannot send an xDS request: " + e.getMessage());
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    exec.execute(() -> {
      try {
        if (requests != null) {
          requests.onCompleted();
        }
      } catch (RuntimeException e) {
        // already closed
      }
    });
    exec.shutdown();
    try {
      exec.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    channel.shutdownNow();
  }
}
