package io.meshwork.proxy.http;

import io.meshwork.proxy.accesslog.AccessLogWriter;
import io.meshwork.proxy.runtime.SnapshotHolder;
import io.meshwork.proxy.tls.TlsContexts;

/** What every HTTP connection shares: the snapshot holder, connection pools, the access log writer, TLS contexts. */
public record HttpServices(SnapshotHolder snapshots, PoolRegistry pools, AccessLogWriter accessLog, TlsContexts tls) {}
