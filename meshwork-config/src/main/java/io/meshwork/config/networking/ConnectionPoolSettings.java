package io.meshwork.config.networking;

import io.meshwork.config.schema.Constraints.Min;
import io.meshwork.config.schema.Constraints.MinDuration;
import io.meshwork.config.schema.Validatable;
import io.meshwork.config.schema.Validation;
import io.meshwork.config.types.Duration;

/** Limits on connections and requests to a destination (circuit breaking), for TCP and HTTP. */
public record ConnectionPoolSettings(TCPSettings tcp, HTTPSettings http) implements Validatable {

  /** TCP connection limits, timeouts and keepalive. */
  public record TCPSettings(
      @Min(0) Integer maxConnections,
      @MinDuration("1ms") Duration connectTimeout,
      TcpKeepalive tcpKeepalive,
      @MinDuration("1ms") Duration maxConnectionDuration,
      Duration idleTimeout) implements Validatable {

    /** TCP keepalive probes: how many, after how long idle, and how often. */
    public record TcpKeepalive(@Min(0) Long probes, @MinDuration("1ms") Duration time, @MinDuration("1ms") Duration interval)
        implements Validatable {
      @Override
      public void validate(Validation v) {
        NetRules.checkDuration(v, "time", time);
        NetRules.checkDuration(v, "interval", interval);
      }
    }

    @Override
    public void validate(Validation v) {
      NetRules.checkDuration(v, "connectTimeout", connectTimeout);
      NetRules.checkDuration(v, "maxConnectionDuration", maxConnectionDuration);
      NetRules.checkDuration(v, "idleTimeout", idleTimeout);
    }
  }

  /** HTTP request limits, idle timeout, HTTP/2 upgrade and HTTP/2 keepalive. */
  public record HTTPSettings(
      @Min(0) Integer http1MaxPendingRequests,
      @Min(0) Integer http2MaxRequests,
      @Min(0) Integer maxRequestsPerConnection,
      @Min(0) Integer maxRetries,
      @MinDuration("1ms") Duration idleTimeout,
      H2UpgradePolicy h2UpgradePolicy,
      Boolean useClientProtocol,
      @Min(0) Integer maxConcurrentStreams,
      Http2KeepAlive http2KeepAlive) implements Validatable {

    /** Whether HTTP/1.1 connections to the destination are upgraded to HTTP/2. */
    public enum H2UpgradePolicy {
      DEFAULT,
      DO_NOT_UPGRADE,
      UPGRADE
    }

    /** HTTP/2 PING keepalive: send a PING every {@code interval}, close if none answered within {@code timeout}. */
    public record Http2KeepAlive(@MinDuration("1ms") Duration interval, @MinDuration("1ms") Duration timeout) {}

    @Override
    public void validate(Validation v) {
      NetRules.checkDuration(v, "idleTimeout", idleTimeout);
      if (h2UpgradePolicy == H2UpgradePolicy.UPGRADE && Boolean.TRUE.equals(useClientProtocol)) {
        v.invalidObject("use client protocol must not be true when H2UpgradePolicy is UPGRADE");
      }
    }
  }

  @Override
  public void validate(Validation v) {
    if (tcp == null && http == null) {
      v.invalidObject("connection pool must have at least one field");
    }
  }
}
