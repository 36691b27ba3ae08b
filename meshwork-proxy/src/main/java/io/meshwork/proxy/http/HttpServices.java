package io.meshwork.proxy.http;

import io.meshwork.proxy.accesslog.AccessLogWriter;
import io.meshwork.proxy.runtime.SnapshotHolder;

/** What every HTTP connection shares: the snapshot holder, connection pools and the access log writer. */
public record HttpServices(SnapshotHolder snapshots, PoolRegistry pools, AccessLogWriter accessLog) {}
