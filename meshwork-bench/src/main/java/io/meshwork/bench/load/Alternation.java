package io.meshwork.bench.load;

/**
 * Alternating request variants within one open-loop phase, for A/B comparisons that share one
 * process, one JIT state and one heap: time (from the start of the measured window) is cut into
 * windows of {@code windowMillis}; each window sends every request with header {@code header} set
 * to {@code offValue} or {@code onValue}, in pairs ordered off-on, on-off, off-on, ... (ABBA, so
 * neither variant always comes first and a slow drift in the machine cancels within two pairs).
 * The first {@code settleMillis} of each window are sent but not recorded per window: what the
 * previous window's variant left behind (a batch still being exported, say) should not be counted
 * against this one. Only whole windows inside the measured duration are recorded.
 *
 * <p>The use it was made for: {@code x-b3-sampled: 0|1} against a proxy whose random sampling is
 * 0%, so that the proxy traces every request of the "on" windows and none of the "off" windows.
 */
public record Alternation(long windowMillis, long settleMillis, String header, String offValue, String onValue) {
  public Alternation {
    if (windowMillis <= 0 || settleMillis < 0 || settleMillis >= windowMillis) {
      throw new IllegalArgumentException("alternation: window must be > 0 ms and the settle time in [0, window)");
    }
    if (header == null || header.isBlank() || header.indexOf(':') >= 0 || offValue == null || onValue == null) {
      throw new IllegalArgumentException("alternation: a header name without ':' and both values are needed");
    }
  }

  /** Whether window {@code w} (0 = the first of the measured window; negative in the warm-up) is an "on" window. */
  public static boolean on(long w) {
    boolean evenPair = Math.floorMod(Math.floorDiv(w, 2), 2) == 0;
    return evenPair == (Math.floorMod(w, 2) == 1);
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
