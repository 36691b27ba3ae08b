package io.meshwork.proxy.http;

import io.meshwork.proxy.accesslog.AccessLogWriter;
import io.meshwork.proxy.runtime.SnapshotHolder;
import io.meshwork.proxy.tls.TlsContexts;

/**
 * What every HTTP connection shares: the snapshot holder, connection pools, the access log writer,
 * TLS contexts, and the proxy's telemetry (istio_* metrics, peer metadata).
 */
public record HttpServices(SnapshotHolder snapshots, PoolRegistry pools, AccessLogWriter accessLog, TlsContexts tls,
    io.meshwork.proxy.telemetry.ProxyTelemetry telemetry) {
  /** Services with a telemetry of their own (tests that do not look at istio_* metrics). */
  public HttpServices(SnapshotHolder snapshots, PoolRegistry pools, AccessLogWriter accessLog, TlsContexts tls) {
    this(snapshots, pools, accessLog, tls, new io.meshwork.proxy.telemetry.ProxyTelemetry());
  }
}
