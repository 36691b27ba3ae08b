package io.meshwork.bench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The result math, driven in virtual time the way a connection drives it: each request goes out at
 * {@link Schedule#sendAt} and is recorded from its intended start. No clock is read.
 */
class ConnectionRecorderTest {
  static final long MS = 1_000_000;

  /** One connection at 1,000 rps against a server that answers in 0.1 ms except once, when it stalls for 100 ms. */
  static ConnectionRecorder stalledRun(long windowStart, long windowEnd, int requests) {
    var schedule = new Schedule(0, 1000, 1);
    var rec = new ConnectionRecorder(windowStart, windowEnd);
    long free = 0;
    for (int k = 0; k < requests; k++) {
      long intended = schedule.intendedNanos(0, k);
      long sent = schedule.sendAt(0, k, free);
      rec.sent(intended);
      long service = k == 100 ? 100 * MS : MS / 10;
      free = sent + service;
      rec.completed(intended, sent, free, true);
    }
    return rec;
  }

  @Test
  void aStallCountsForEveryRequestThatWaitedBehindIt() {
    var rec = stalledRun(0, 1_000 * MS, 1000);
    var r = ConnectionRecorder.merge(new Phase("r1000", 1000, 0, 1000, 0), List.of(rec), 1000 * MS, 1000);
    // ~100 requests were meant to start during the stall; corrected, they waited up to 100 ms,
    // so p90 and above see the stall. Uncorrected, only the stalled request itself is slow.
    assertThat(r.latency().p90()).isGreaterThan(1.0);
    assertThat(r.latency().p99()).isGreaterThan(50.0);
    assertThat(r.latency().max()).isCloseTo(100.0, within(0.5));
    assertThat(r.uncorrected().p99()).isLessThan(1.0);
    assertThat(r.uncorrected().max()).isCloseTo(100.0, within(0.5));
    assertThat(r.requests()).isEqualTo(1000);
    assertThat(r.missed()).isZero();
  }

  @Test
  void warmUpRequestsAreNotRecorded() {
    var rec = stalledRun(200 * MS, 1_000 * MS, 1000);
    var r = ConnectionRecorder.merge(new Phase("r1000", 1000, 200, 800, 0), List.of(rec), 800 * MS, 800);
    assertThat(r.requests()).isEqualTo(800);
    assertThat(r.uncorrected().max()).isLessThan(1.0); // the stall was in the warm-up
  }

  @Test
  void requestsMeantToStartButNeverSentAreMissed() {
    var schedule = new Schedule(0, 1000, 1);
    var rec = new ConnectionRecorder(0, 1000 * MS);
    // the connection got stuck after 10 requests; the schedule meant 1,000
    for (int k = 0; k < 10; k++) {
      long t = schedule.intendedNanos(0, k);
      rec.sent(t);
      rec.completed(t, t, t + MS / 10, true);
    }
    var r = ConnectionRecorder.merge(new Phase("r1000", 1000, 0, 1000, 0), List.of(rec), 1000 * MS,
        schedule.intendedBetween(0, 1000 * MS));
    assertThat(r.missed()).isEqualTo(990);
    assertThat(r.throughput()).isCloseTo(10.0, within(1e-9));
  }

  @Test
  void unsentRequestsCountAsMissedWithTheirWaitSoFar() {
    var schedule = new Schedule(0, 1000, 1);
    var rec = new ConnectionRecorder(0, 100 * MS);
    // the first request took the whole window; the other 99 were never sent
    rec.sent(0);
    rec.completed(0, 0, 100 * MS, true);
    for (int k = 1; k < 100; k++) {
      rec.unsent(schedule.intendedNanos(0, k), 100 * MS);
    }
    var r = ConnectionRecorder.merge(new Phase("r1000", 1000, 0, 100, 0), List.of(rec), 100 * MS, 100);
    assertThat(r.requests()).isEqualTo(1);
    assertThat(r.missed()).isEqualTo(99);
    assertThat(r.latency().count()).isEqualTo(100);
    assertThat(r.latency().p50()).isCloseTo(50.0, within(1.0));
    assertThat(r.uncorrected().count()).isEqualTo(1);
  }

  @Test
  void mergesConnectionsAndCountsErrors() {
    var a = new ConnectionRecorder(0, 1000 * MS);
    var b = new ConnectionRecorder(0, 1000 * MS);
    a.completed(0, 0, 2 * MS, true);
    b.completed(0, 0, 4 * MS, false);
    b.failed(5 * MS);
    b.failed(2000 * MS); // outside the window: not counted
    var r = ConnectionRecorder.merge(new Phase("sat", 0, 0, 1000, 0), List.of(a, b), 500 * MS, 0);
    assertThat(r.requests()).isEqualTo(2);
    assertThat(r.errors()).isEqualTo(2);
    assertThat(r.throughput()).isCloseTo(4.0, within(1e-9));
    assertThat(r.latency().max()).isCloseTo(4.0, within(0.01));
    assertThat(r.latency().mean()).isCloseTo(3.0, within(0.01));
    assertThat(r.closedLoop()).isTrue();
    assertThat(r.missed()).isZero();
  }

  @Test
  void anEmptyPhaseHasZeroFigures() {
    var r = ConnectionRecorder.merge(new Phase("sat", 0, 0, 1000, 0), List.of(), 0, 0);
    assertThat(r.latency()).isEqualTo(LatencyStats.EMPTY);
    assertThat(r.throughput()).isZero();
  }

  /** Many judged requests (several chunks) come back in their own windows with their own latencies. */
  @Test
  void perWindowLatenciesSurviveManyChunks() {
    var alternation = new Alternation(10, 2, "x", "0", "1");
    var rec = new ConnectionRecorder(0, 40 * MS, alternation); // 4 windows of 10 ms, the first 2 ms of each not judged
    int n = 3 * ConnectionRecorder.CHUNK + 7;
    long step = 40 * MS / n;
    var expected = new long[4];
    for (int k = 0; k < n; k++) {
      long intended = k * step;
      long latency = (k % 4 + 1) * 1000L + (intended / (10 * MS)) * 1_000_000L; // the window shows in the latency
      rec.sent(intended);
      rec.completed(intended, intended, intended + latency, true);
      if (intended % (10 * MS) >= 2 * MS) {
        expected[(int) (intended / (10 * MS))]++;
      }
    }
    var windows = ConnectionRecorder.mergeWindows(List.of(rec), 4);
    assertThat(windows).hasSize(4);
    for (int w = 0; w < 4; w++) {
      var h = windows.get(w);
      assertThat(h.getTotalCount()).as("window " + w).isEqualTo(expected[w]).isGreaterThan(ConnectionRecorder.CHUNK / 2);
      // Every latency of window w is w ms plus 1 to 4 us; at two significant digits the windows' ranges cannot overlap.
      long low = w * 1_000_000L + 1000;
      long high = w * 1_000_000L + 4000;
      assertThat(h.getMinValue()).as("window " + w).isBetween((long) (low * 0.99), (long) (low * 1.01));
      assertThat(h.getMaxValue()).as("window " + w).isBetween((long) (high * 0.99), (long) (high * 1.01));
    }
  }
}
