package io.meshwork.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.DefaultEventLoop;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The re-armed deadline behind the route and idle timeouts: an action runs once its deadline has
 * passed (never before: the only time check here is a lower bound, which a loaded machine cannot
 * break), a disarmed or replaced action never runs, and a deadline armed while an earlier task is
 * pending is still honoured, whether it is later (the task re-schedules itself) or sooner (the task
 * is replaced).
 */
class LazyDeadlineTest {
  private final DefaultEventLoop loop = new DefaultEventLoop();
  private final ConcurrentLinkedQueue<String> ran = new ConcurrentLinkedQueue<>();

  @AfterEach
  void stop() {
    loop.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
  }

  private void onLoop(Runnable r) throws Exception {
    loop.submit(r).get(10, TimeUnit.SECONDS);
  }

  @Test
  void aDeadlineReArmedAfterTheFirstRequestRunsAtTheLaterDeadlineNotAtTheFirstTask() throws Exception {
    var deadline = new LazyDeadline(loop);
    var done = new CountDownLatch(1);
    Runnable first = () -> ran.add("first");
    Runnable second = () -> {
      ran.add("second");
      done.countDown();
    };
    long[] armedAt = new long[1];
    onLoop(() -> deadline.arm(TimeUnit.MILLISECONDS.toNanos(50), first));
    onLoop(() -> deadline.disarm(first)); // the first request completed in time
    Thread.sleep(20);
    onLoop(() -> {
      armedAt[0] = System.nanoTime();
      deadline.arm(TimeUnit.MILLISECONDS.toNanos(300), second); // the next request on the connection
    });
    assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
    long waited = System.nanoTime() - armedAt[0];
    assertThat(ran).containsExactly("second");
    assertThat(waited).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(300));
  }

  @Test
  void aShorterDeadlineThanThePendingTaskRunsOnTime() throws Exception {
    var deadline = new LazyDeadline(loop);
    var done = new CountDownLatch(1);
    onLoop(() -> deadline.arm(TimeUnit.HOURS.toNanos(1), () -> ran.add("long")));
    onLoop(() -> deadline.arm(TimeUnit.MILLISECONDS.toNanos(20), () -> {
      ran.add("short");
      done.countDown();
    }));
    assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
    assertThat(ran).containsExactly("short");
  }

  @Test
  void disarmClearsOnlyItsOwnActionAndCloseClearsAll() throws Exception {
    var deadline = new LazyDeadline(loop);
    var done = new CountDownLatch(1);
    Runnable stale = () -> ran.add("stale");
    Runnable current = () -> {
      ran.add("current");
      done.countDown();
    };
    onLoop(() -> {
      deadline.arm(TimeUnit.MILLISECONDS.toNanos(20), current);
      deadline.disarm(stale); // an earlier owner's late cancel must not clear the current deadline
    });
    assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();

    var closed = new LazyDeadline(loop);
    var marker = new CountDownLatch(1);
    onLoop(() -> {
      closed.arm(TimeUnit.MILLISECONDS.toNanos(20), () -> ran.add("closed"));
      closed.close();
      loop.schedule(marker::countDown, 200, TimeUnit.MILLISECONDS);
    });
    assertThat(marker.await(30, TimeUnit.SECONDS)).isTrue();
    assertThat(ran).containsExactly("current");
  }
}
