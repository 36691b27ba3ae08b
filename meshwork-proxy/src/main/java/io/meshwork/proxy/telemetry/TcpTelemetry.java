package io.meshwork.proxy.telemetry;

import io.meshwork.proxy.transport.PeerIdentity;
import io.netty.channel.Channel;

/**
 * The telemetry of one proxied TCP connection: {@code istio_tcp_connections_opened_total} and
 * {@code _closed_total}, and the bytes each way ({@code received}: from the downstream client,
 * {@code sent}: back to it, as Istio counts them). Like Istio's TCP stats, bytes are reported
 * periodically (at most every {@link #REPORT_INTERVAL_NANOS}, on traffic) and at close, and the
 * label set is resolved at the first report: by then a peer-metadata exchange (downstream, or on
 * the upstream connection) has run, so the whole connection counts under the peer's labels. A
 * plaintext inbound connection has no exchange, so its source labels stay {@code unknown}, as in Istio.
 */
public final class TcpTelemetry {
  private final ProxyTelemetry telemetry;
  private final ProxyTelemetry.ListenerView listener;
  private final String cluster;
  private Channel downstream;
  private String upstreamHost;
  private WorkloadMetadata upstreamPeer;
  private IstioMetrics.TcpCells cells;
  private boolean closed;
  private java.util.concurrent.ScheduledFuture<?> flusher;
  private long pendingReceived;
  private long pendingSent;
  private final long openedNanos = System.nanoTime();
  private long lastReportNanos = openedNanos;
  /** How often bytes of a long connection are reported (Istio's default TCP reporting interval is 5 s). */
  static final long REPORT_INTERVAL_NANOS = 1_000_000_000L;

  TcpTelemetry(ProxyTelemetry telemetry, ProxyTelemetry.ListenerView listener, String cluster) {
    this.telemetry = telemetry;
    this.listener = listener;
    this.cluster = cluster;
  }

  /** The downstream connection is up and an upstream host was chosen ({@code ip:port}, null if none). */
  public void opened(Channel downstream, String upstreamHost) {
    this.downstream = downstream;
    this.upstreamHost = upstreamHost;
    if (downstream != null && telemetry.enabled()) {
      // Istio reports TCP bytes on a timer, not only when more bytes flow: without it, the bytes of a
      // connection that goes quiet (a pooled Redis or PostgreSQL connection) stay unreported until it
      // closes. The timer runs on the connection's event loop, like every other call here.
      long every = REPORT_INTERVAL_NANOS;
      flusher = downstream.eventLoop().scheduleAtFixedRate(this::flush, every, every, java.util.concurrent.TimeUnit.NANOSECONDS);
    }
  }

  /** Reports bytes still pending (the periodic timer). */
  private void flush() {
    if (closed || !downstream.isActive()) {
      flusher.cancel(false); // closed() reports the rest; a connection that died without it stops here
      return;
    }
    if (pendingReceived > 0 || pendingSent > 0 || cells == null) {
      lastReportNanos = System.nanoTime();
      report();
    }
  }

  ProxyTelemetry proxy() {
    return telemetry;
  }

  /** The upstream peer's metadata from a TCP exchange on the upstream connection (outbound mTLS). */
  public void upstreamPeer(WorkloadMetadata peer) {
    if (peer != null) {
      upstreamPeer = peer;
    }
  }

  /** Bytes read from the downstream client (forwarded upstream). */
  public void received(long bytes) {
    pendingReceived += bytes;
    maybeReport();
  }

  /** Bytes written back to the downstream client. */
  public void sent(long bytes) {
    pendingSent += bytes;
    maybeReport();
  }

  private void maybeReport() {
    long now = System.nanoTime();
    if (now - lastReportNanos >= REPORT_INTERVAL_NANOS) {
      lastReportNanos = now;
      report();
    }
  }

  private void report() {
    var c = cells();
    if (c != null) {
      if (c.received() != null) {
        c.received().add(pendingReceived);
      }
      if (c.sent() != null) {
        c.sent().add(pendingSent);
      }
    }
    pendingReceived = 0;
    pendingSent = 0;
  }

  /** The connection closed; counted once. */
  public void closed() {
    if (closed) {
      return;
    }
    if (flusher != null) {
      flusher.cancel(false);
    }
    report();
    var c = cells();
    closed = true;
    if (c != null && c.closed() != null) {
      c.closed().increment();
    }
  }

  private IstioMetrics.TcpCells cells() {
    if (cells != null || closed || !telemetry.enabled()) {
      return cells;
    }
    boolean in = listener.inbound(cluster);
    var local = telemetry.local();
    LabelFacts facts;
    if (in) {
      var id = downstream == null ? PeerIdentity.NONE : PeerIdentity.of(downstream);
      var exchanged = downstream == null ? null : PeerExchange.peerOf(downstream);
      facts = new LabelFacts(true, exchanged, local,
          id.mutualTls() && !id.spiffeUri().isEmpty() ? id.spiffeUri() : WorkloadMetadata.UNKNOWN,
          id.mutualTls() ? local.principal(RequestTelemetry.trustDomain(id.spiffeUri())) : WorkloadMetadata.UNKNOWN,
          telemetry.view().service(cluster), "tcp", null, null, "-", id.securityPolicy());
    } else {
      var dest = upstreamPeer != null ? upstreamPeer : telemetry.endpoint(upstreamHost);
      facts = new LabelFacts(false, local, dest, WorkloadMetadata.UNKNOWN, WorkloadMetadata.UNKNOWN,
          telemetry.view().service(cluster), "tcp", null, null, "-", WorkloadMetadata.UNKNOWN);
    }
    cells = telemetry.metrics().tcp(facts, listener.stats());
    if (cells.opened() != null) {
      cells.opened().increment();
    }
    return cells;
  }
}
