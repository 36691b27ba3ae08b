package io.meshwork.bench.load;

/**
 * One measured phase of a load run: a warm-up whose requests are not recorded, then a measured
 * window bounded by a duration and (optionally) a request count. {@code rate == 0} means closed loop.
 */
public record Phase(String name, double rate, long warmupMillis, long durationMillis, long maxRequests) {
  public Phase {
    if (rate < 0 || warmupMillis < 0 || durationMillis <= 0 || maxRequests < 0) {
      throw new IllegalArgumentException("phase " + name + ": rate and warm-up must be >= 0, duration > 0, max requests >= 0");
    }
  }

  public boolean closedLoop() {
    return rate == 0;
  }

  /**
   * Parses {@code NAME:RATE:WARMUP_MS:DURATION_MS[:MAX_REQUESTS]}, e.g. {@code sat:0:1000:5000} or
   * {@code r1000:1000:500:5000:20000}; RATE 0 means closed loop.
   */
  public static Phase parse(String spec) {
    var p = spec.split(":");
    if (p.length < 4 || p.length > 5) {
      throw new IllegalArgumentException("--phase " + spec + ": expected NAME:RATE:WARMUP_MS:DURATION_MS[:MAX_REQUESTS]");
    }
    try {
      return new Phase(p[0], Double.parseDouble(p[1]), Long.parseLong(p[2]), Long.parseLong(p[3]),
          p.length == 5 ? Long.parseLong(p[4]) : 0);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--phase " + spec + ": RATE, WARMUP_MS, DURATION_MS and MAX_REQUESTS must be numbers");
    }
  }

  public String spec() {
    return name + ":" + (rate == (long) rate ? Long.toString((long) rate) : Double.toString(rate)) + ":" + warmupMillis + ":"
        + durationMillis + (maxRequests > 0 ? ":" + maxRequests : "");
  }
}
