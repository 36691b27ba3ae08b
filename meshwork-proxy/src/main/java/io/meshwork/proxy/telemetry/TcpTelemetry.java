package io.meshwork.proxy.telemetry;

import io.meshwork.proxy.transport.PeerIdentity;
import io.netty.channel.Channel;

/**
 * The telemetry of one proxied TCP connection: {@code istio_tcp_connections_opened_total} and
 * {@code _closed_total}, and the bytes each way as they flow ({@code received}: from the
 * downstream client, {@code sent}: back to it, as Istio counts them). The label set is resolved
 * at the first event, after any peer-metadata exchange has run; a plaintext inbound connection has
 * no exchange, so its source labels stay {@code unknown}, as in Istio.
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

  TcpTelemetry(ProxyTelemetry telemetry, ProxyTelemetry.ListenerView listener, String cluster) {
    this.telemetry = telemetry;
    this.listener = listener;
    this.cluster = cluster;
  }

  /** The downstream connection is up and an upstream host was chosen ({@code ip:port}, null if none). */
  public void opened(Channel downstream, String upstreamHost) {
    this.downstream = downstream;
    this.upstreamHost = upstreamHost;
  }

  /** The upstream peer's metadata from a TCP exchange on the upstream connection (outbound mTLS). */
  public void upstreamPeer(WorkloadMetadata peer) {
    upstreamPeer = peer;
  }

  /** Bytes read from the downstream client (forwarded upstream). */
  public void received(long bytes) {
    var c = cells();
    if (c != null && c.received() != null) {
      c.received().add(bytes);
    }
  }

  /** Bytes written back to the downstream client. */
  public void sent(long bytes) {
    var c = cells();
    if (c != null && c.sent() != null) {
      c.sent().add(bytes);
    }
  }

  /** The connection closed; counted once. */
  public void closed() {
    if (closed) {
      return;
    }
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
