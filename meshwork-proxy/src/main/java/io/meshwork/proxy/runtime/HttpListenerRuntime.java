package io.meshwork.proxy.runtime;

import io.meshwork.proxy.config.HttpConnectionManagerConfig;
import io.meshwork.proxy.stats.HttpStats;

/** An HTTP listener's connection manager config with its resolved counters. */
public record HttpListenerRuntime(String listenerName, HttpConnectionManagerConfig hcm, HttpStats stats) {}
