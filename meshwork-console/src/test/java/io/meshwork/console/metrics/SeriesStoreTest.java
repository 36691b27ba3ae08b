package io.meshwork.console.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class SeriesStoreTest {
  @Test
  void rateHandlesCounterResetsAndSumGroupsByLabels() {
    var store = new SeriesStore(Duration.ofHours(1), 1L << 30);
    // 10/s, then the proxy restarts (counter back to 5) and goes on at 10/s.
    store.add("c", Map.of("a", "x", "instance", "1"), 0, 100);
    store.add("c", Map.of("a", "x", "instance", "1"), 10_000, 200);
    store.add("c", Map.of("a", "x", "instance", "1"), 20_000, 5);
    store.add("c", Map.of("a", "x", "instance", "2"), 0, 0);
    store.add("c", Map.of("a", "x", "instance", "2"), 20_000, 40);
    store.add("c", Map.of("a", "y", "instance", "2"), 0, 0);
    var r = new EmbeddedBackend(store).sumRate("c", List.of(), Duration.ofMinutes(1), List.of("a"), Instant.ofEpochMilli(20_000));
    var byA = new TreeMap<String, Double>();
    r.forEach(s -> byA.put(s.label("a"), s.value()));
    // instance 1: (100 + 5) / 20 s = 5.25; instance 2: 40 / 20 = 2; "y" has one sample: no rate.
    assertThat(byA).containsOnlyKeys("x");
    assertThat(byA.get("x")).isCloseTo(7.25, org.assertj.core.data.Offset.offset(1e-9));
  }

  @Test
  void retentionDropsOldSamplesAndEmptySeries() {
    var store = new SeriesStore(Duration.ofSeconds(60), 1L << 30);
    for (long t = 0; t <= 120_000; t += 5_000) {
      store.add("c", Map.of("a", "x"), t, t);
    }
    store.add("old", Map.of(), 0, 1);
    store.prune(120_000);
    assertThat(store.stats().samples()).isEqualTo(13);
    assertThat(store.stats().series()).isEqualTo(1);
  }

  @Test
  void theByteCapEvictsLeastRecentlyWrittenSeries() {
    var store = new SeriesStore(Duration.ofHours(1), 200_000);
    for (int i = 0; i < 10_000; i++) {
      store.add("istio_requests_total", Map.of("source_workload", "w" + i, "destination_workload", "d"), 1000, 1);
      assertThat(store.stats().bytes()).isLessThanOrEqualTo(200_000);
    }
    assertThat(store.stats().evictedSeries()).isPositive();
    var left = new EmbeddedBackend(store);
    assertThat(store.stats().series()).isLessThan(10_000);
    // The newest series survive.
    store.add("istio_requests_total", Map.of("source_workload", "w9999", "destination_workload", "d"), 2000, 3);
    assertThat(left.sumRate("istio_requests_total", List.of(Matcher.eq("source_workload", "w9999")), Duration.ofMinutes(1), List.of(), Instant.ofEpochMilli(2000)))
        .singleElement().extracting(Sample::value).isEqualTo(2.0);
  }

  @Test
  void quantileInterpolatesLikePrometheus() {
    var b = new TreeMap<Double, Double>(Map.of(5.0, 50.0, 10.0, 80.0, 25.0, 100.0, 50.0, 110.0, Double.POSITIVE_INFINITY, 110.0));
    assertThat(EmbeddedBackend.quantile(0.95, b)).isCloseTo(36.25, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(EmbeddedBackend.quantile(0.5, b)).isCloseTo(5 + 5 * 5 / 30.0, org.assertj.core.data.Offset.offset(1e-9));
    var inInf = new TreeMap<Double, Double>(Map.of(5.0, 1.0, Double.POSITIVE_INFINITY, 10.0));
    assertThat(EmbeddedBackend.quantile(0.95, inInf)).isEqualTo(5.0);
  }
}
