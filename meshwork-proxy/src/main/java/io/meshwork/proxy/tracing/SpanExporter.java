package io.meshwork.proxy.tracing;

import io.meshwork.proxy.stats.Counter;
import io.meshwork.proxy.stats.Stats;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Sends finished spans to one collector in batches. Event loops only {@link #offer} into a bounded
 * lock-free queue ({@link SpanQueue}), which never blocks: when it is full the span is dropped and
 * counted ({@code <prefix>.spans_dropped}), so a slow or absent collector cannot slow a request.
 * One background thread drains the queue, turns each {@link QueuedSpan} into {@link SpanData},
 * encodes and POSTs a batch when it holds {@code maxBatch} spans or when {@code flushInterval} has
 * passed since the last report (counted as {@code timer_flushed}). The collector address is looked
 * up for every report (the cluster's first endpoint in the current snapshot), so a configuration
 * change moves export without restarting anything.
 *
 * <p>Why no blocking queue: with {@code ArrayBlockingQueue} every offer took a lock shared with the
 * exporter and signalled its condition, so at 10,000 spans/s the exporter thread was woken (a
 * futex system call and a context switch on a 2-core machine) for nearly every span. Here the
 * exporter sleeps until its flush deadline, and an event loop wakes it only when its offer fills
 * a batch, i.e. once per {@code maxBatch} spans.
 *
 * <p>Counters, as Envoy names them for its tracers: {@code spans_sent}, {@code spans_dropped},
 * {@code reports_sent}, {@code reports_failed} (collector answered non-2xx or could not be
 * reached; the batch is dropped, not retried), {@code reports_skipped_no_cluster}, {@code timer_flushed}.
 */
public final class SpanExporter implements AutoCloseable {
  /** Queue size, batch size and flush interval; {@link #DEFAULT} is 8,192 / 512 / 1 s. */
  public record Limits(int queueCapacity, int maxBatch, Duration flushInterval) {
    public static final Limits DEFAULT = new Limits(8192, 512, Duration.ofSeconds(1));
  }

  private final SpanQueue<QueuedSpan> queue;
  private final Limits limits;
  private final Function<List<SpanData>, byte[]> encoder;
  private final String contentType;
  private final String path;
  private final Supplier<InetSocketAddress> collector;
  private final HttpClient http;
  private final Counter spansSent;
  private final Counter spansDropped;
  private final Counter reportsSent;
  private final Counter reportsFailed;
  private final Counter skippedNoCluster;
  private final Counter timerFlushed;
  private final Thread thread;
  /** True while the exporter thread is (about to be) parked; an offer that fills a batch then wakes it. */
  private volatile boolean sleeping;
  private volatile boolean closed;

  /**
   * @param statPrefix {@code tracing.zipkin} or {@code tracing.opentelemetry}
   * @param collector the collector's address now, or null when its cluster has no endpoint
   */
  public SpanExporter(String statPrefix, Function<List<SpanData>, byte[]> encoder, String contentType, String path,
      Supplier<InetSocketAddress> collector, Stats stats, Limits limits) {
    this.queue = new SpanQueue<>(limits.queueCapacity());
    this.limits = limits;
    this.encoder = encoder;
    this.contentType = contentType;
    this.path = path.startsWith("/") ? path : "/" + path;
    this.collector = collector;
    this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build();
    spansSent = stats.counter(statPrefix + ".spans_sent");
    spansDropped = stats.counter(statPrefix + ".spans_dropped");
    reportsSent = stats.counter(statPrefix + ".reports_sent");
    reportsFailed = stats.counter(statPrefix + ".reports_failed");
    skippedNoCluster = stats.counter(statPrefix + ".reports_skipped_no_cluster");
    timerFlushed = stats.counter(statPrefix + ".timer_flushed");
    thread = Thread.ofPlatform().daemon().name("meshwork-span-export").start(this::run);
  }

  /**
   * Queues a span; never blocks and takes no lock. Returns false (and counts a drop) when the
   * queue is full or the exporter is closed.
   */
  public boolean offer(QueuedSpan span) {
    if (closed || !queue.offer(span)) {
      spansDropped.inc();
      return false;
    }
    if (sleeping && queue.size() >= limits.maxBatch()) {
      sleeping = false;
      LockSupport.unpark(thread); // once per batch, not per span
    }
    return true;
  }

  private void run() {
    var pending = new ArrayList<QueuedSpan>(limits.maxBatch());
    var batch = new ArrayList<SpanData>(limits.maxBatch());
    long intervalNanos = limits.flushInterval().toNanos();
    long deadline = System.nanoTime() + intervalNanos;
    while (true) {
      boolean stopping = closed;
      boolean timer = System.nanoTime() - deadline >= 0;
      int size = queue.size();
      // Spans are taken from the queue only to send them, so the queue's size is what offers see
      // when they decide whether to wake this thread.
      if (size >= limits.maxBatch() || (size > 0 && (timer || stopping))) {
        QueuedSpan s;
        while (pending.size() < limits.maxBatch() && (s = queue.poll()) != null) {
          pending.add(s);
        }
        if (pending.isEmpty()) {
          Thread.onSpinWait(); // a producer claimed a slot and is about to fill it
          continue;
        }
        if (timer && pending.size() < limits.maxBatch()) {
          timerFlushed.inc();
        }
        send(pending, batch);
        pending.clear();
        batch.clear();
        deadline = System.nanoTime() + intervalNanos;
        continue;
      }
      if (stopping) {
        return; // closed and nothing left
      }
      if (timer) {
        deadline = System.nanoTime() + intervalNanos;
      }
      sleeping = true;
      if (queue.size() < limits.maxBatch() && !closed) { // re-check after announcing the sleep: no lost wake-up
        LockSupport.parkNanos(this, Math.max(1, deadline - System.nanoTime()));
      }
      sleeping = false;
      if (Thread.interrupted()) {
        return;
      }
    }
  }

  /** Converts and encodes {@code pending} (on this thread, off the event loops) and POSTs it. */
  private void send(List<QueuedSpan> pending, List<SpanData> batch) {
    for (var p : pending) {
      try {
        batch.add(p.toSpanData());
      } catch (RuntimeException e) {
        spansDropped.inc(); // a span that cannot be built must not cost the rest of the batch
      }
    }
    if (!batch.isEmpty()) {
      post(batch);
    }
  }

  private void post(List<SpanData> batch) {
    var address = collector.get();
    if (address == null) {
      skippedNoCluster.inc();
      spansDropped.add(batch.size());
      return;
    }
    try {
      var uri = new URI("http", null, address.getHostString(), address.getPort(), path, null, null);
      var req = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).header("content-type", contentType)
          .POST(HttpRequest.BodyPublishers.ofByteArray(encoder.apply(batch))).build();
      var res = http.send(req, HttpResponse.BodyHandlers.discarding());
      if (res.statusCode() / 100 == 2) {
        reportsSent.inc();
        spansSent.add(batch.size());
      } else {
        reportsFailed.inc();
        spansDropped.add(batch.size());
      }
    } catch (java.io.IOException | java.net.URISyntaxException | RuntimeException e) {
      reportsFailed.inc();
      spansDropped.add(batch.size());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // close() gave up waiting; run() ends
      reportsFailed.inc();
      spansDropped.add(batch.size());
    }
  }

  /** Spans waiting in the queue (for tests and the admin stats). */
  public int queued() {
    return queue.size();
  }

  /**
   * Sends what is queued (waiting up to two seconds), then stops the thread. When the collector is
   * too slow for that, the thread is interrupted and what is left counts as dropped; it gets one more
   * second for that, so the counters are final when this returns.
   */
  @Override
  public void close() {
    closed = true;
    LockSupport.unpark(thread);
    boolean interrupted = false;
    try {
      thread.join(2000);
    } catch (InterruptedException e) {
      interrupted = true;
    }
    thread.interrupt();
    http.shutdownNow(); // do not wait for a report to a collector that hangs
    try {
      thread.join(1000);
    } catch (InterruptedException e) {
      interrupted = true;
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
