package io.meshwork.bench.load;

/**
 * When each request of an open-loop phase is meant to start. The rate is spread evenly over the
 * connections and the connections are staggered, so request {@code k} of connection {@code c} is the
 * {@code (k * connections + c)}-th request of the whole phase and starts at
 * {@code start + (k * connections + c) / rate}. A closed-loop phase has no schedule: each request
 * starts when the previous one on its connection ends.
 */
public record Schedule(long startNanos, double ratePerSecond, int connections) {
  public Schedule {
    if (ratePerSecond <= 0 || connections < 1) {
      throw new IllegalArgumentException("an open-loop schedule needs a rate > 0 and at least one connection");
    }
  }

  /** The intended start of request {@code k} (0-based) on connection {@code c}. */
  public long intendedNanos(int connection, long k) {
    double index = (double) k * connections + connection;
    return startNanos + (long) (index * 1e9 / ratePerSecond);
  }

  /**
   * When request {@code k} actually goes out if its connection becomes free at {@code freeNanos}: at
   * its intended start, or at once when the connection is late. Either way its latency is counted
   * from the intended start, which is the coordinated-omission correction.
   */
  public long sendAt(int connection, long k, long freeNanos) {
    return Math.max(intendedNanos(connection, k), freeNanos);
  }

  /**
   * The first request index on a connection whose intended start is at or after {@code nanos}: where
   * a connection begins when it joins late, or where measurement begins after warm-up.
   */
  public long firstIndexAtOrAfter(int connection, long nanos) {
    if (nanos <= intendedNanos(connection, 0)) {
      return 0;
    }
    double perConnectionInterval = connections * 1e9 / ratePerSecond;
    long k = (long) Math.floor((nanos - intendedNanos(connection, 0)) / perConnectionInterval);
    while (intendedNanos(connection, k) < nanos) {
      k++;
    }
    while (k > 0 && intendedNanos(connection, k - 1) >= nanos) {
      k--;
    }
    return k;
  }

  /** How many requests all connections together are meant to start in {@code [from, to)}. */
  public long intendedBetween(long fromNanos, long toNanos) {
    long n = 0;
    for (int c = 0; c < connections; c++) {
      n += firstIndexAtOrAfter(c, toNanos) - firstIndexAtOrAfter(c, fromNanos);
    }
    return n;
  }
}
