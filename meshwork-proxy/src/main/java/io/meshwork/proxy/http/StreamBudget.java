package io.meshwork.proxy.http;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;

/**
 * {@code max_requests_per_connection} on a shared HTTP/2 upstream connection, as Envoy applies it: once
 * the connection has opened that many streams it is retired (the pool opens a new one for the next
 * request) and it closes when its last open stream ends. Lives as an attribute of the connection and is
 * touched only on the pool's event loop.
 */
final class StreamBudget {
  private static final AttributeKey<StreamBudget> KEY = AttributeKey.valueOf(StreamBudget.class, "streamBudget");

  private final Channel connection;
  private final int max;
  private int opened;
  private int open;
  private boolean retired;

  private StreamBudget(Channel connection, int max) {
    this.connection = connection;
    this.max = max;
  }

  /** The budget of {@code connection} (created with {@code max} on first use; 0: unlimited). */
  static StreamBudget of(Channel connection, int max) {
    var attr = connection.attr(KEY);
    var b = attr.get();
    if (b == null) {
      b = new StreamBudget(connection, max);
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
    if (retired && open <= 0) {
      connection.close();
    }
  }
}
