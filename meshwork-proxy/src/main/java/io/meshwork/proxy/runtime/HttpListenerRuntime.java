package io.meshwork.proxy.runtime;

import io.meshwork.proxy.config.HttpConnectionManagerConfig;
import io.meshwork.proxy.config.TlsConfig;
import io.meshwork.proxy.stats.HttpStats;

/** An HTTP listener's connection manager config, TLS ({@code null}: plaintext) and resolved counters. */
public record HttpListenerRuntime(String listenerName, TlsConfig tls, HttpConnectionManagerConfig hcm, HttpStats stats) {}
