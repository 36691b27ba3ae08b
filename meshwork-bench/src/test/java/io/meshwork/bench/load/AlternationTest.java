package io.meshwork.bench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import org.junit.jupiter.api.Test;

class AlternationTest {
  @Test
  void everyPairHasOneOfEachInAnOrderThatDoesNotRepeatPeriodically() {
    int onFirst = 0;
    var firsts = new ArrayList<Boolean>();
    for (int pair = -2; pair < 200; pair++) {
      assertThat(Alternation.on(0, 2L * pair)).as("pair " + pair).isNotEqualTo(Alternation.on(0, 2L * pair + 1));
      if (pair >= 0) {
        firsts.add(Alternation.on(0, 2L * pair));
        onFirst += Alternation.on(0, 2L * pair) ? 1 : 0;
      }
    }
    // Both orders, about equally often (200 fair draws: 100 +- 30 is beyond 4 standard deviations).
    assertThat(onFirst).isBetween(70, 130);
    // No short period: for periods of 1 to 8 pairs, the order differs from the order that many pairs later somewhere.
    for (int period = 1; period <= 8; period++) {
      boolean differs = false;
      for (int k = 0; k + period < firsts.size(); k++) {
        differs |= !firsts.get(k).equals(firsts.get(k + period));
      }
      assertThat(differs).as("period " + period).isTrue();
    }
    // A disturbance every fourth window (two pairs) hits both variants.
    int hitsOn = 0;
    for (int w = 0; w < 400; w += 4) {
      hitsOn += Alternation.on(0, w) ? 1 : 0;
    }
    assertThat(hitsOn).isBetween(25, 75);
  }

  @Test
  void eachRunOfAComparisonHasItsOwnOrderSoADisturbanceAtAFixedTimeHitsBothVariants() {
    // Session 7: slow windows at the same index (35, 39) in run after run, all "on" with one order for every run.
    for (long w : new long[] {0, 35, 39}) {
      int on = 0;
      for (long seed = 0; seed < 200; seed++) {
        assertThat(Alternation.on(seed, w)).isNotEqualTo(Alternation.on(seed, w ^ 1)); // still one of each per pair
        on += Alternation.on(seed, w) ? 1 : 0;
      }
      assertThat(on).as("window " + w + " over 200 runs").isBetween(70, 130);
    }
    var a = new Alternation(2500, 1000, "x-b3-sampled", "0", "1", 3);
    assertThat(a.isOn(35)).isEqualTo(Alternation.on(3, 35));
    assertThat(new Alternation(2500, 1000, "x-b3-sampled", "0", "1").seed()).isZero();
  }

  @Test
  void requestsAreAssignedToWindowsAndTheSettleTimeIsNotJudged() {
    var a = new Alternation(2500, 1000, "x-b3-sampled", "0", "1");
    long ms = 1_000_000L;
    assertThat(a.window(0)).isZero();
    assertThat(a.window(2499 * ms)).isZero();
    assertThat(a.window(2500 * ms)).isEqualTo(1);
    assertThat(a.window(-1)).isEqualTo(-1);
    assertThat(a.settling(999 * ms)).isTrue();
    assertThat(a.settling(1000 * ms)).isFalse();
    assertThat(a.settling(3000 * ms)).isTrue();
    assertThat(a.windows(100_000)).isEqualTo(40);
    assertThat(a.windows(101_000)).as("only whole windows").isEqualTo(40);
  }

  @Test
  void badSettingsAreRefused() {
    assertThatThrownBy(() -> new Alternation(1000, 1000, "x", "0", "1")).hasMessageContaining("settle time");
    assertThatThrownBy(() -> new Alternation(1000, 0, "x: y", "0", "1")).hasMessageContaining("header name");
  }

  @Test
  void theVariantHeaderIsOneMoreLineOfTheRequest() {
    var o = new LoadOptions("h", 1, "/", 1, 1, 0, java.util.List.of(Phase.parse("s:100:0:1000")));
    var on = new String(LoadGenerator.requestBytes(o, "x-b3-sampled: 1"), java.nio.charset.StandardCharsets.US_ASCII);
    assertThat(on).startsWith("GET / HTTP/1.1\r\n").contains("\r\nx-b3-sampled: 1\r\n").endsWith("\r\n\r\n");
    assertThat(new String(LoadGenerator.requestBytes(o), java.nio.charset.StandardCharsets.US_ASCII)).doesNotContain("x-b3-sampled");
  }
}
