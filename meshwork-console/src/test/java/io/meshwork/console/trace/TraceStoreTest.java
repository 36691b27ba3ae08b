package io.meshwork.console.trace;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TraceStoreTest {
  static Span span(String trace, String id, String service, String op, long start) {
    return new Span(trace, id, null, op, SpanKind.SERVER, start, 1000, service, Map.of("k", "v"), Map.of(), List.of(), List.of());
  }

  @Test
  void evictsOldestTracesPastTheTraceCap() {
    var store = new TraceStore(3, 1L << 30);
    for (int i = 1; i <= 5; i++) {
      store.add(List.of(span(Long.toHexString(i), "1", "svc" + i, "op", i)));
    }
    assertThat(store.stats().traces()).isEqualTo(3);
    assertThat(store.stats().evictedTraces()).isEqualTo(2);
    assertThat(store.trace("1")).isEmpty();
    assertThat(store.trace("5")).hasSize(1);
    // The service index forgets services whose spans were all evicted.
    assertThat(store.services()).containsExactly("svc3", "svc4", "svc5");
  }

  @Test
  void evictsPastTheByteCapAndNeverExceedsIt() {
    long one = span("a", "1", "s", "op", 1).estimatedBytes();
    var store = new TraceStore(1_000_000, one * 10);
    for (int i = 0; i < 1000; i++) {
      store.add(List.of(span(Long.toHexString(i + 1), "1", "s", "op", i)));
      assertThat(store.stats().bytes()).isLessThanOrEqualTo(one * 10);
    }
    assertThat(store.stats().traces()).isEqualTo(10);
    assertThat(store.stats().evictedSpans()).isEqualTo(990);
    assertThat(store.stats().receivedSpans()).isEqualTo(1000);
  }

  @Test
  void aSingleTraceLargerThanTheCapIsNotKept() {
    long one = span("a", "1", "s", "op", 1).estimatedBytes();
    var store = new TraceStore(10, one * 3);
    var big = new java.util.ArrayList<Span>();
    for (int i = 0; i < 5; i++) {
      big.add(span("b", Integer.toString(i + 1), "s", "op", i));
    }
    store.add(big);
    assertThat(store.stats().bytes()).isLessThanOrEqualTo(one * 3);
    assertThat(store.stats().evictedSpans()).isEqualTo(5);
  }

  @Test
  void findReturnsNewestFirstAndHonoursTheLimitAndDuration() {
    var store = new TraceStore(100, 1L << 30);
    for (int i = 1; i <= 5; i++) {
      store.add(List.of(span(Long.toHexString(i), "1", "vote", "GET", i)));
    }
    var found = store.find(new TraceQuery("vote", "GET", Map.of("k", "v"), 0, 0, 0, 0, 2));
    assertThat(found).extracting(t -> t.getFirst().traceId()).containsExactly("0000000000000005", "0000000000000004");
    assertThat(store.find(new TraceQuery("vote", null, Map.of(), 2000, 0, 0, 0, 10))).isEmpty();
    assertThat(store.find(new TraceQuery("vote", null, Map.of("k", "other"), 0, 0, 0, 0, 10))).isEmpty();
  }

  @Test
  void persistenceSurvivesARestartAndKeepsTheCaps(@TempDir Path dir) throws Exception {
    var store = new TraceStore(3, 1L << 30);
    try (var log = TraceLog.open(dir, store, 1L << 20)) {
      for (int i = 1; i <= 4; i++) {
        store.add(List.of(span(Long.toHexString(i), "1", "vote", "GET", i), span(Long.toHexString(i), "2", "redis", "SET", i)));
      }
    }
    var restarted = new TraceStore(3, 1L << 30);
    try (var log = TraceLog.open(dir, restarted, 1L << 20)) {
      assertThat(restarted.stats().traces()).isEqualTo(3);
      assertThat(restarted.trace("4")).hasSize(2);
      assertThat(restarted.trace("4").getFirst().tags()).containsEntry("k", "v");
      restarted.add(List.of(span("9", "1", "result", "GET", 9)));
    }
    var third = new TraceStore(10, 1L << 30);
    try (var log = TraceLog.open(dir, third, 1L << 20)) {
      assertThat(third.trace("9")).hasSize(1);
      assertThat(third.trace("1")).isEmpty();
    }
  }

  @Test
  void aTornLastLineLosesOnlyThatBatchAndTheLogStaysBounded(@TempDir Path dir) throws Exception {
    var store = new TraceStore(2, 1L << 30);
    try (var log = TraceLog.open(dir, store, 2_000)) {
      for (int i = 1; i <= 50; i++) {
        store.add(List.of(span(Long.toHexString(i), "1", "vote", "GET", i)));
      }
    }
    Path file = dir.resolve("spans.jsonl");
    assertThat(Files.size(file)).isLessThan(4_000);
    Files.writeString(file, "[{\"traceId\":\"ff\",\"spa", java.nio.file.StandardOpenOption.APPEND);
    var restarted = new TraceStore(2, 1L << 30);
    try (var log = TraceLog.open(dir, restarted, 1L << 20)) {
      assertThat(restarted.stats().traces()).isEqualTo(2);
      assertThat(restarted.trace("32")).hasSize(1);
      assertThat(restarted.trace("31")).hasSize(1);
    }
  }
}
