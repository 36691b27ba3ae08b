package io.meshwork.bench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import org.junit.jupiter.api.Test;

class AlternationTest {
  @Test
  void windowsGoOffOnThenOnOffSoEveryPairHasOneOfEach() {
    var order = new ArrayList<Boolean>();
    for (int w = 0; w < 8; w++) {
      order.add(Alternation.on(w));
    }
    assertThat(order).containsExactly(false, true, true, false, false, true, true, false);
    assertThat(Alternation.on(-1)).as("the warm-up window before the measured ones").isFalse();
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
