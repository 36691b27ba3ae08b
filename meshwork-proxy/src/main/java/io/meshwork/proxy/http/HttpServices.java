package io.meshwork.proxy.http;

import io.meshwork.proxy.accesslog.AccessLogWriter;
import io.meshwork.proxy.runtime.SnapshotHolder;
import io.meshwork.proxy.tls.TlsContexts;
import io.meshwork.proxy.tracing.Tracer;

/**
 * What every HTTP connection shares: the snapshot holder, connection pools, the access log writer,
 * TLS contexts, the proxy's telemetry (istio_* metrics, peer metadata) and the tracer (span exporters).
 */
public record HttpServices(SnapshotHolder snapshots, PoolRegistry pools, AccessLogWriter accessLog, TlsContexts tls,
    io.meshwork.proxy.telemetry.ProxyTelemetry telemetry, Tracer tracer) {
  /** Services with a telemetry and a tracer of their own (tests that look at neither). */
  public HttpServices(SnapshotHolder snapshots, PoolRegistry pools, AccessLogWriter accessLog, TlsContexts tls) {
    this(snapshots, pools, accessLog, tls, new io.meshwork.proxy.telemetry.ProxyTelemetry());
  }

  /** Services whose tracer counts into a private stats store (tests that do not trace). */
  public HttpServices(SnapshotHolder snapshots, PoolRegistry pools, AccessLogWriter accessLog, TlsContexts tls,
      io.meshwork.proxy.telemetry.ProxyTelemetry telemetry) {
    this(snapshots, pools, accessLog, tls, telemetry, new Tracer(snapshots, new io.meshwork.proxy.stats.Stats()));
  }

  /** Services with a telemetry of their own (tests that do not look at istio_* metrics). */
  public HttpServices(SnapshotHolder snapshots, PoolRegistry pools, AccessLogWriter accessLog, TlsContexts tls, Tracer tracer) {
    this(snapshots, pools, accessLog, tls, new io.meshwork.proxy.telemetry.ProxyTelemetry(), tracer);
  }
}
