package io.meshwork.proxy.config;

/** The load-balancing policies the proxy implements (Envoy names). */
public enum LbPolicy { ROUND_ROBIN, LEAST_REQUEST, RANDOM, RING_HASH, MAGLEV }
