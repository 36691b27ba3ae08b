package io.meshwork.console.graph;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The graph's numbers are formatted without java.util.Formatter for speed; they must stay the
 * digits Kiali's clients got before, i.e. exactly what {@code String.format("%.Nf")} prints,
 * including halves (rounded up), values that print as a half only after the shortest-decimal
 * step, large and tiny values, and the non-finite ones.
 */
class GraphJsonNumbersTest {
  @Test
  void sameDigitsAsStringFormat() {
    double[] fixedCases = {0, 0.5, 1.5, 2.5, 0.05, 0.15, 0.25, 0.35, 0.005, 0.015, 0.125, 1.005, 2.675, 99.95, 99.995, 100, 1e-9,
        123456789.125, 1e15 + 0.5, 3.3333333333333335, 66.66666666666667, 0.045, 1.45, -1.5, -0.05, Double.NaN,
        Double.POSITIVE_INFINITY, Double.MIN_VALUE, Double.MAX_VALUE};
    for (double v : fixedCases) {
      check(v);
    }
    var random = new SplittableRandom(7);
    for (int i = 0; i < 5_000; i++) {
      check(random.nextDouble() * Math.pow(10, random.nextInt(-3, 7)));
      check(random.nextInt(0, 100_000) / 1000.0); // exact thousandths: many halves at one and two decimals
    }
  }

  private static void check(double v) {
    for (int scale = 0; scale <= 2; scale++) {
      assertThat(GraphJson.fixed(v, scale)).as("%s at %d decimals", v, scale).isEqualTo(String.format(Locale.ROOT, "%." + scale + "f", v));
    }
  }
}
