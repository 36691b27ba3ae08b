package io.meshwork.cli.demo;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Keeps the demo's graph alive: at a modest rate it loads the vote page, votes as one of a few
 * simulated voters and reads the result, all through the gateway, each request on a connection of
 * its own (so an L4 routing mesh spreads them too). The simulated voters are a fixed pool of
 * {@value #VOTERS} ids ({@code traffic-0..}), so they add at most {@value #VOTERS} to the tally
 * however long the demo runs (one vote per voter; a later vote replaces the earlier one).
 */
public final class TrafficGenerator implements AutoCloseable {
  /** How many distinct simulated voters vote. */
  public static final int VOTERS = 10;
  private static final Duration TIMEOUT = Duration.ofSeconds(5);
  private static final long QUIET_NANOS = Duration.ofSeconds(30).toNanos();

  private final URI vote;
  private final URI result;
  private final long periodNanos;
  private final PrintStream log;
  private final Thread thread;
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private volatile boolean stopping;
  private long lastComplaint;

  private TrafficGenerator(URI vote, URI result, double rps, PrintStream log) {
    this.vote = vote;
    this.result = result;
    this.periodNanos = (long) (1e9 / rps);
    this.log = log;
    this.thread = Thread.ofVirtual().name("meshwork-demo-traffic").unstarted(this::run);
  }

  /** Starts sending {@code rps} requests per second (vote page, vote, result in turn). */
  public static TrafficGenerator start(URI vote, URI result, double rps, PrintStream log) {
    if (!(rps > 0 && rps <= 1000)) {
      throw new IllegalArgumentException("the traffic rate must be above 0 and at most 1000 requests per second, not " + rps);
    }
    var g = new TrafficGenerator(vote, result, rps, log);
    g.lastComplaint = System.nanoTime() - QUIET_NANOS;
    g.thread.start();
    return g;
  }

  /** Requests sent so far (answered or not). */
  public long sent() {
    return sent.get();
  }

  /** Requests that got no answer or a 5xx. */
  public long failed() {
    return failed.get();
  }

  private void run() {
    long next = System.nanoTime();
    for (long i = 0; !stopping; i++) {
      try {
        once(i);
      } catch (IOException | RuntimeException e) {
        if (stopping) {
          return; // close() interrupted a request in flight: not a failure of the mesh
        }
        failed.incrementAndGet();
        complain(e.toString());
      }
      next += periodNanos;
      long wait = next - System.nanoTime();
      if (wait < -periodNanos * 10) {
        next = System.nanoTime(); // far behind (e.g. a stall): do not burst to catch up
      } else if (wait > 0) {
        try {
          Thread.sleep(Duration.ofNanos(wait));
        } catch (InterruptedException e) {
          return;
        }
      }
    }
  }

  private void once(long i) throws IOException {
    var random = ThreadLocalRandom.current();
    String voter = "traffic-" + random.nextInt(VOTERS);
    sent.incrementAndGet();
    PlainHttp.Response r = switch ((int) (i % 3)) {
      case 0 -> PlainHttp.get(vote, Map.of("Cookie", "voter_id=" + voter), TIMEOUT);
      case 1 -> PlainHttp.postForm(vote, Map.of("Cookie", "voter_id=" + voter, "Accept", "application/json"),
          "vote=" + (random.nextInt(100) < 60 ? "a" : "b"), TIMEOUT);
      default -> PlainHttp.get(result.resolve("/api/results"), Map.of(), TIMEOUT);
    };
    if (r.status() >= 500) {
      failed.incrementAndGet();
      complain("HTTP " + r.status() + " " + r.body().strip().lines().findFirst().orElse(""));
    }
  }

  private void complain(String what) {
    long now = System.nanoTime();
    if (now - lastComplaint >= QUIET_NANOS) {
      lastComplaint = now;
      log.println("demo: traffic generator: " + what + " (" + failed.get() + " of " + sent.get()
          + " requests failed so far; at most one such line per 30 s)");
    }
  }

  @Override
  public void close() {
    stopping = true;
    thread.interrupt();
    try {
      thread.join(Duration.ofSeconds(10));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
