package io.meshwork.bench.load;

/**
 * What one phase measured. {@code latency} is corrected for coordinated omission (from the intended
 * start; in closed loop the intended start is the send time), {@code uncorrected} is from the actual
 * send. {@code missed} counts open-loop requests whose intended start fell in the window but that were
 * never sent because every connection was still busy: a sign that the target could not keep the rate.
 */
public record PhaseResult(String name, boolean closedLoop, double targetRate, double seconds, long requests, long errors,
    long missed, double throughput, LatencyStats latency, LatencyStats uncorrected) {

  /** Requests per second over a measured window. */
  public static double throughput(long requests, long windowNanos) {
    return windowNanos <= 0 ? 0 : requests * 1e9 / windowNanos;
  }
}
