package io.meshwork.security.agent;

import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs a task after a delay. The rotator only needs this, which lets tests capture the delays
 * instead of sleeping; production adapts a {@link ScheduledExecutorService} (or a Netty event
 * loop, which is one).
 */
public interface Scheduler {
  /** Runs {@code task} once after {@code delay}; the handle cancels it. */
  Cancellable schedule(Runnable task, Duration delay);

  /** A scheduled task that can be cancelled. */
  interface Cancellable {
    void cancel();
  }

  /** A scheduler backed by {@code executor}. */
  static Scheduler of(ScheduledExecutorService executor) {
    return (task, delay) -> {
      ScheduledFuture<?> f = executor.schedule(task, Math.max(0, delay.toMillis()), TimeUnit.MILLISECONDS);
      return () -> f.cancel(false);
    };
  }
}
