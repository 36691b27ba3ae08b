package io.meshwork.proxy.http;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;

/**
 * {@code max_requests_per_connection} on a shared HTTP/2 upstream connection, as Envoy applies it: once
 * the connection has opened that many streams it is retired (the pool opens a new one for the next
 * request) and it closes when its last open stream ends. Also the cluster's
 * {@code common_http_protocol_options.idle_timeout}: a connection without open streams for that long is
 * closed. Lives as an attribute of the connection and is touched only on its event loop.
 */
final class StreamBudget {
  static final AttributeKey<StreamBudget> KEY = AttributeKey.valueOf(StreamBudget.class, "streamBudget");

  private final Channel connection;
  private final int max;
  private final java.time.Duration idleTimeout;
  private final io.meshwork.proxy.stats.Counter idleTimeouts;
  private io.netty.util.concurrent.ScheduledFuture<?> idleTimer;
  private int opened;
  private int open;
  private boolean retired;

  private StreamBudget(Channel connection, int max, java.time.Duration idleTimeout,
      io.meshwork.proxy.stats.Counter idleTimeouts) {
    this.connection = connection;
    this.max = max;
    this.idleTimeout = idleTimeout;
    this.idleTimeouts = idleTimeouts;
  }

  /**
   * The budget of {@code connection}, created on first use with {@code max} streams (0: unlimited) and
   * {@code idleTimeout} (zero: none), whose expiries {@code idleTimeouts} counts.
   */
  static StreamBudget of(Channel connection, int max, java.time.Duration idleTimeout,
      io.meshwork.proxy.stats.Counter idleTimeouts) {
    var attr = connection.attr(KEY);
    var b = attr.get();
    if (b == null) {
      b = new StreamBudget(connection, max, idleTimeout, idleTimeouts);
      attr.set(b);
    }
    return b;
  }

  /** Whether the connection takes no more streams. */
  boolean retired() {
    return retired;
  }

  /** Counts a stream about to be opened; true if it is the connection's last one. */
  boolean take() {
    if (idleTimer != null) {
      idleTimer.cancel(false);
      idleTimer = null;
    }
    opened++;
    open++;
    if (max > 0 && opened >= max) {
      retired = true;
    }
    return retired;
  }

  /** A stream counted by {@link #take} ended (or never opened); a retired connection closes with its last. */
  void streamEnded() {
    open--;
    if (open > 0) {
      return;
    }
    if (retired) {
      connection.close();
    } else {
      startIdle();
    }
  }

  /**
   * Starts the idle timer if no stream is open: also for a connection established after the requests
   * it was opened for gave up, which would otherwise never close.
   */
  void startIdle() {
    if (open <= 0 && idleTimer == null && !idleTimeout.isZero() && connection.isActive()) {
      idleTimer = connection.eventLoop().schedule(() -> {
        idleTimer = null;
        if (open <= 0 && connection.isActive()) {
          idleTimeouts.inc();
          connection.close();
        }
      }, idleTimeout.toNanos(), java.util.concurrent.TimeUnit.NANOSECONDS);
    }
  }
}
