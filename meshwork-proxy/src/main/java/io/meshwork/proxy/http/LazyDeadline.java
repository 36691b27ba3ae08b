package io.meshwork.proxy.http;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A deadline that is set and cleared far more often than it expires: the route timeout of each
 * request on a keep-alive connection, the idle timeout of a pooled upstream connection between
 * requests. Scheduling and cancelling a Netty task for each request costs a task object, a lambda
 * and two priority-queue operations per request; here one task stays scheduled, and when it runs
 * before the current deadline (the deadline was cleared and set again meanwhile) it re-schedules
 * itself for the rest. The action therefore runs at the same time as with a task per deadline, but a
 * connection serving many requests schedules about one task per timeout period instead of one per
 * request. Used from one event loop only.
 */
final class LazyDeadline {
  private final EventExecutor loop;
  private final Runnable check = this::check;
  private ScheduledFuture<?> task;
  /** {@link System#nanoTime()} at which {@link #task} runs. */
  private long taskAt;
  private long deadline;
  /** What runs at the deadline; null when not armed. */
  private Runnable action;

  LazyDeadline(EventExecutor loop) {
    this.loop = loop;
  }

  /** Runs {@code action} after {@code delayNanos} unless disarmed first; replaces any deadline armed before. */
  void arm(long delayNanos, Runnable action) {
    deadline = System.nanoTime() + delayNanos;
    this.action = action;
    if (task == null || taskAt - deadline > 0) {
      // No task yet, or the pending one would run too late (a shorter timeout than before).
      if (task != null) {
        task.cancel(false);
      }
      schedule(delayNanos);
    }
  }

  /** Clears the deadline if {@code action} is what it would run (a later owner's deadline stays). */
  void disarm(Runnable action) {
    if (this.action == action) {
      this.action = null;
    }
  }

  /** Clears the deadline and cancels the pending task: the owner (a connection) is gone. */
  void close() {
    action = null;
    if (task != null) {
      task.cancel(false);
      task = null;
    }
  }

  private void schedule(long delayNanos) {
    taskAt = deadline;
    task = loop.schedule(check, delayNanos, TimeUnit.NANOSECONDS);
  }

  private void check() {
    task = null;
    var a = action;
    if (a == null) {
      return;
    }
    long left = deadline - System.nanoTime();
    if (left > 0) {
      schedule(left);
      return;
    }
    action = null;
    a.run();
  }
}
