package io.meshwork.bench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The open-loop schedule: even spacing over all connections, staggered, and counting intended starts. */
class ScheduleTest {
  @Test
  void spreadsTheRateEvenlyOverStaggeredConnections() {
    var s = new Schedule(1_000, 1000, 4); // one request per ms overall, 4 ms apart per connection
    assertThat(s.intendedNanos(0, 0)).isEqualTo(1_000);
    assertThat(s.intendedNanos(1, 0)).isEqualTo(1_000 + 1_000_000);
    assertThat(s.intendedNanos(3, 0)).isEqualTo(1_000 + 3_000_000);
    assertThat(s.intendedNanos(0, 1)).isEqualTo(1_000 + 4_000_000);
    assertThat(s.intendedNanos(2, 10)).isEqualTo(1_000 + 42_000_000);
  }

  @Test
  void findsTheFirstRequestAtOrAfterAnInstant() {
    var s = new Schedule(0, 100, 2); // 10 ms overall, 20 ms per connection
    assertThat(s.firstIndexAtOrAfter(0, 0)).isZero();
    assertThat(s.firstIndexAtOrAfter(0, 20_000_000)).isEqualTo(1);
    assertThat(s.firstIndexAtOrAfter(0, 20_000_001)).isEqualTo(2);
    assertThat(s.firstIndexAtOrAfter(1, 10_000_000)).isZero();
    assertThat(s.firstIndexAtOrAfter(1, 10_000_001)).isEqualTo(1);
  }

  @Test
  void countsIntendedStartsInAWindow() {
    var s = new Schedule(0, 1000, 16);
    assertThat(s.intendedBetween(0, 1_000_000_000L)).isEqualTo(1000);
    assertThat(s.intendedBetween(500_000_000L, 1_500_000_000L)).isEqualTo(1000);
    assertThat(s.intendedBetween(0, 2_500_000L)).isEqualTo(3); // at 0, 1 and 2 ms
  }

  @Test
  void aLateResponseSendsTheNextRequestAtOnceButKeepsItsIntendedStart() {
    var s = new Schedule(0, 1000, 1);
    assertThat(s.sendAt(0, 5, 2_000_000)).isEqualTo(5_000_000); // early: wait for the slot
    assertThat(s.sendAt(0, 5, 9_000_000)).isEqualTo(9_000_000); // late: go now
  }

  @Test
  void rejectsANonPositiveRate() {
    assertThatThrownBy(() -> new Schedule(0, 0, 4)).isInstanceOf(IllegalArgumentException.class);
  }
}
