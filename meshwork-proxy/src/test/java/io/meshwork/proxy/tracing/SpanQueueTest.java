package io.meshwork.proxy.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class SpanQueueTest {
  @Test
  void holdsExactlyItsCapacityAndRefusesTheRest() {
    var q = new SpanQueue<Integer>(5); // not a power of two: the bound is still 5
    for (int i = 0; i < 5; i++) {
      assertThat(q.offer(i)).isTrue();
    }
    assertThat(q.offer(99)).isFalse();
    assertThat(q.size()).isEqualTo(5);
    assertThat(q.poll()).isZero();
    assertThat(q.offer(5)).as("a taken element frees its slot").isTrue();
    var out = new ArrayList<Integer>();
    for (Integer e; (e = q.poll()) != null; ) {
      out.add(e);
    }
    assertThat(out).containsExactly(1, 2, 3, 4, 5);
    assertThat(q.size()).isZero();
  }

  @Test
  void concurrentProducersLoseNothingTheyWereToldWasQueued() throws Exception {
    int producers = 4;
    int perProducer = 50_000;
    var q = new SpanQueue<Long>(64); // small, so producers keep hitting the bound while the consumer drains
    var accepted = new AtomicInteger();
    var start = new CountDownLatch(1);
    var threads = new ArrayList<Thread>();
    for (int p = 0; p < producers; p++) {
      long base = (long) p << 32;
      threads.add(Thread.ofPlatform().start(() -> {
        try {
          start.await();
        } catch (InterruptedException e) {
          return;
        }
        for (int i = 0; i < perProducer; i++) {
          if (q.offer(base | i)) {
            accepted.incrementAndGet();
          }
        }
      }));
    }
    var seen = new HashSet<Long>();
    var lastPerProducer = new long[producers];
    java.util.Arrays.fill(lastPerProducer, -1);
    List<String> orderErrors = new ArrayList<>();
    start.countDown();
    boolean running = true;
    while (running) {
      running = threads.stream().anyMatch(Thread::isAlive);
      for (Long e; (e = q.poll()) != null; ) {
        assertThat(seen.add(e)).as("delivered once: %x", e).isTrue();
        int p = (int) (e >>> 32);
        long i = e & 0xFFFFFFFFL;
        if (i <= lastPerProducer[p]) {
          orderErrors.add(p + ":" + i);
        }
        lastPerProducer[p] = i;
      }
    }
    for (Long e; (e = q.poll()) != null; ) {
      assertThat(seen.add(e)).isTrue();
    }
    assertThat(seen).hasSize(accepted.get());
    assertThat(orderErrors).as("each producer's elements come out in its order").isEmpty();
    assertThat(q.size()).isZero();
  }
}
