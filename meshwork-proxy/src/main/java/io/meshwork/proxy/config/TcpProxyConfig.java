package io.meshwork.proxy.config;

import java.time.Duration;
import java.util.List;

/** An opaque TCP proxy: the cluster, an idle timeout (zero: none), access logs. */
public record TcpProxyConfig(String statPrefix, String cluster, Duration idleTimeout, List<AccessLogConfig> accessLogs) {}
