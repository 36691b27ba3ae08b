package io.meshwork.bench.load;

/**
 * Alternating request variants within one open-loop phase, for A/B comparisons that share one
 * process, one JIT state and one heap: time (from the start of the measured window) is cut into
 * windows of {@code windowMillis}; each window sends every request with header {@code header} set
 * to {@code offValue} or {@code onValue}, in pairs of one of each whose order is drawn per pair
 * (pseudo-randomly, from the pair's index and the run's {@code seed}, so a run can be repeated). A slow drift in the machine
 * then cancels within a pair, and a periodic disturbance cannot lock onto one variant: with a fixed
 * order (off-on, on-off, ...) a young collection every fourth window, say, would always fall on
 * the same variant, and in-process runs at 10,000/s showed exactly such run-long biases of
 * +47% in one run and -41% in the next. Runs of one comparison need different seeds: a disturbance
 * at a fixed time after a fresh proxy starts (session 7 saw slow windows at the same indices, 35
 * and 39, in run after run) otherwise lands on the same variant in every run, and more runs do not
 * average it out.
 * The first {@code settleMillis} of each window are sent but not recorded per window: what the
 * previous window's variant left behind (a batch still being exported, say) should not be counted
 * against this one. Only whole windows inside the measured duration are recorded.
 *
 * <p>The use it was made for: {@code x-b3-sampled: 0|1} against a proxy whose random sampling is
 * 0%, so that the proxy traces every request of the "on" windows and none of the "off" windows.
 */
public record Alternation(long windowMillis, long settleMillis, String header, String offValue, String onValue, long seed) {
  /** Seed 0: the order of the first run. */
  public Alternation(long windowMillis, long settleMillis, String header, String offValue, String onValue) {
    this(windowMillis, settleMillis, header, offValue, onValue, 0);
  }

  public Alternation {
    if (windowMillis <= 0 || settleMillis < 0 || settleMillis >= windowMillis) {
      throw new IllegalArgumentException("alternation: window must be > 0 ms and the settle time in [0, window)");
    }
    if (header == null || header.isBlank() || header.indexOf(':') >= 0 || offValue == null || onValue == null) {
      throw new IllegalArgumentException("alternation: a header name without ':' and both values are needed");
    }
  }

  /**
   * Whether window {@code w} (0 = the first of the measured window; negative in the warm-up) of the
   * run with {@code seed} is an "on" window: windows {@code 2k} and {@code 2k+1} are one of each, in
   * an order drawn from {@code k} and the seed (seed 0: from {@code k} alone).
   */
  public static boolean on(long seed, long w) {
    boolean onFirst = (mix(Math.floorDiv(w, 2) + seed * 0xD1B54A32D192ED03L) & 1) == 1;
    return onFirst == (Math.floorMod(w, 2) == 0);
  }

  /** {@link #on(long, long)} for this run's seed. */
  public boolean isOn(long w) {
    return on(seed, w);
  }

  /** SplitMix64's finalizer: a well-mixed 64-bit value from a pair's index. */
  private static long mix(long k) {
    long z = k * 0x9E3779B97F4A7C15L + 0x632BE59BD9B4E019L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** The window of a request meant to start {@code sinceWindowStartNanos} after the measured window began. */
  public long window(long sinceWindowStartNanos) {
    return Math.floorDiv(sinceWindowStartNanos, windowMillis * 1_000_000L);
  }

  /** Whether such a request falls in its window's settle time (sent, but not recorded per window). */
  public boolean settling(long sinceWindowStartNanos) {
    return Math.floorMod(sinceWindowStartNanos, windowMillis * 1_000_000L) < settleMillis * 1_000_000L;
  }

  /** How many whole windows fit in a measured duration of {@code durationMillis}. */
  public int windows(long durationMillis) {
    return (int) (durationMillis / windowMillis);
  }
}
