package io.meshwork.proxy.stats;

import java.util.concurrent.atomic.LongAdder;

/** A monotonically increasing count, safe to increment from any event loop. */
public final class Counter {
  private final LongAdder value = new LongAdder();

  public void inc() {
    value.increment();
  }

  public void add(long n) {
    value.add(n);
  }

  public long get() {
    return value.sum();
  }
}
