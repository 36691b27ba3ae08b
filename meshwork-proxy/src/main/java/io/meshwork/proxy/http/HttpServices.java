package io.meshwork.proxy.http;

import io.meshwork.proxy.accesslog.AccessLogWriter;
import io.meshwork.proxy.runtime.SnapshotHolder;
import io.meshwork.proxy.tls.TlsContexts;
import io.meshwork.proxy.tracing.Tracer;

/**
 * What every HTTP connection shares: the snapshot holder, connection pools, the access log writer,
 * TLS contexts and the tracer (span exporters).
 */
public record HttpServices(SnapshotHolder snapshots, PoolRegistry pools, AccessLogWriter accessLog, TlsContexts tls,
    Tracer tracer) {
  /** Services whose tracer counts into a private stats store (tests that do not trace). */
  public HttpServices(SnapshotHolder snapshots, PoolRegistry pools, AccessLogWriter accessLog, TlsContexts tls) {
    this(snapshots, pools, accessLog, tls, new Tracer(snapshots, new io.meshwork.proxy.stats.Stats()));
  }
}
