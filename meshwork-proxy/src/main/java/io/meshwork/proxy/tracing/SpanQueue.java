package io.meshwork.proxy.tracing;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * A bounded multi-producer, single-consumer queue without locks, between the event loops that
 * finish spans and the one exporter thread. Producers claim a slot with one compare-and-set on the
 * tail and never wait: when {@code capacity} elements are queued {@link #offer} returns false at
 * once (the caller counts a drop). Unlike {@code ArrayBlockingQueue} there is no lock to contend
 * on with the consumer's drain and no condition to signal, so a finished span costs an event loop
 * no system call; the consumer is woken separately, once per batch (see {@link SpanExporter}).
 *
 * <p>A slot is claimed before it is filled, so the consumer may briefly see an empty slot at the
 * head while a producer is between the two steps; it then reports the queue as empty and picks the
 * element up on its next drain.
 */
final class SpanQueue<E> {
  private static final VarHandle HEAD;
  private static final VarHandle TAIL;

  static {
    try {
      var lookup = MethodHandles.lookup();
      HEAD = lookup.findVarHandle(SpanQueue.class, "head", long.class);
      TAIL = lookup.findVarHandle(SpanQueue.class, "tail", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final AtomicReferenceArray<E> slots;
  private final int mask;
  private final int capacity;
  @SuppressWarnings("unused") // through HEAD: next index the consumer takes, written by the consumer only
  private volatile long head;
  @SuppressWarnings("unused") // through TAIL: next index a producer claims
  private volatile long tail;

  SpanQueue(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be at least 1, not " + capacity);
    }
    this.capacity = capacity;
    int slots = Integer.highestOneBit(capacity);
    if (slots < capacity) {
      slots <<= 1;
    }
    this.slots = new AtomicReferenceArray<>(slots);
    this.mask = slots - 1;
  }

  /** Adds {@code e} unless {@code capacity} elements are queued; never blocks. */
  boolean offer(E e) {
    while (true) {
      long t = (long) TAIL.getVolatile(this);
      if (t - (long) HEAD.getAcquire(this) >= capacity) {
        return false;
      }
      if (TAIL.compareAndSet(this, t, t + 1)) {
        slots.setRelease((int) (t & mask), e);
        return true;
      }
    }
  }

  /** The head element, or null when the queue is (or momentarily looks) empty. Consumer thread only. */
  E poll() {
    long h = (long) HEAD.getOpaque(this);
    int i = (int) (h & mask);
    var e = slots.getAcquire(i);
    if (e == null) {
      return null;
    }
    slots.setOpaque(i, null);
    HEAD.setRelease(this, h + 1); // publishes the free slot to producers after the null above
    return e;
  }

  /** Elements claimed by producers and not yet taken (an estimate while producers run). */
  int size() {
    long h = (long) HEAD.getAcquire(this);
    long t = (long) TAIL.getVolatile(this);
    return (int) Math.max(0, Math.min(capacity, t - h));
  }

  int capacity() {
    return capacity;
  }
}
