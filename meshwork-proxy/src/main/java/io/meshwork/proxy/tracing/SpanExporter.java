package io.meshwork.proxy.tracing;

import io.meshwork.proxy.background.BackgroundThreads;
import io.meshwork.proxy.stats.Counter;
import io.meshwork.proxy.stats.Stats;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * Sends finished spans to one collector in batches. Event loops only {@link #offer} into a bounded
 * lock-free queue ({@link SpanQueue}), which never blocks: when it is full the span is dropped and
 * counted ({@code <prefix>.spans_dropped}), so a slow or absent collector cannot slow a request.
 * One background thread drains the queue whenever {@code drainSpans} spans are waiting, encoding
 * each span straight from its queued record into the report being built ({@link SpanBatch},
 * {@link SpanFormat}, {@link SpanWriter}), and POSTs the report over one keep-alive HTTP/1.1
 * connection ({@link CollectorClient}) when it holds {@code maxBatch} spans or when
 * {@code flushInterval} has passed since the last report (counted as {@code timer_flushed}). The collector address is looked
 * up for every report (the cluster's first endpoint in the current snapshot), so a configuration
 * change moves export without restarting anything.
 *
 * <p>Why no blocking queue: with {@code ArrayBlockingQueue} every offer took a lock shared with the
 * exporter and signalled its condition, so at 10,000 spans/s the exporter thread was woken (a
 * futex system call and a context switch on a 2-core machine) for nearly every span. Here the
 * exporter sleeps until its flush deadline, and an event loop wakes it only when its offer brings
 * the queue to {@code drainSpans}, i.e. once per 64 spans by default.
 *
 * <p>Why drain before a report is full: a queued record (with the strings it holds) that survives
 * a young collection is copied by it, and with the sidecar's small Serial young generation a batch
 * of 1,024 spans waiting a quarter of a second survived every young pause (session 5's GC log:
 * survivors up to 640 KB and young pauses two to four times longer while spans were exported).
 * Encoded spans are bytes in one reused buffer, which nothing copies.
 *
 * <p>Why no HTTP client library and no span objects: on a 2-core machine the exporter's CPU is taken
 * from the event loop, so at 10,000 spans/s each µs per span is 1% of a core. Profiling showed the
 * exporter's time in building tag maps and strings and in {@code StringBuilder} JSON, plus the JDK
 * client's selector and worker threads; the records are now written straight into bytes and the
 * POST is a blocking write and read on this thread.
 *
 * <p>Counters, as Envoy names them for its tracers: {@code spans_sent}, {@code spans_dropped},
 * {@code reports_sent}, {@code reports_failed} (collector answered non-2xx or could not be
 * reached; the batch is dropped, not retried), {@code reports_skipped_no_cluster}, {@code timer_flushed}.
 */
public final class SpanExporter implements AutoCloseable {
  /**
   * Queue size, spans per report, flush interval, and how many queued spans wake the exporter to
   * encode them; {@link #DEFAULT} is 8,192 / 1,024 / 1 s / 64 (a report per 1,024 spans: fewer POSTs;
   * the queue still holds eight reports' worth while one is sent; a drain per 64 spans: records die
   * young, see the class comment). {@code -Dmeshwork.tracing.batchSpans} and {@code
   * -Dmeshwork.tracing.drainSpans} change them for experiments.
   */
  public record Limits(int queueCapacity, int maxBatch, Duration flushInterval, int drainSpans) {
    public static final Limits DEFAULT = new Limits(8192,
        Math.clamp(Integer.getInteger("meshwork.tracing.batchSpans", 1024), 1, 8192), Duration.ofSeconds(1),
        Math.clamp(Integer.getInteger("meshwork.tracing.drainSpans", 64), 1, 8192));

    public Limits {
      if (queueCapacity < 1 || maxBatch < 1 || drainSpans < 1 || flushInterval.isNegative() || flushInterval.isZero()) {
        throw new IllegalArgumentException("span exporter limits must be positive");
      }
    }

    /** Draining every 64 spans, or every report when reports are smaller. */
    public Limits(int queueCapacity, int maxBatch, Duration flushInterval) {
      this(queueCapacity, maxBatch, flushInterval, Math.min(64, maxBatch));
    }
  }

  private final SpanQueue<QueuedSpan> queue;
  private final Limits limits;
  private final SpanFormat format;
  private final Supplier<InetSocketAddress> collector;
  private final CollectorClient http;
  private final SpanBuffer body = new SpanBuffer(64 * 1024);
  private final Counter spansSent;
  private final Counter spansDropped;
  private final Counter reportsSent;
  private final Counter reportsFailed;
  private final Counter skippedNoCluster;
  private final Counter timerFlushed;
  private final Thread thread;
  /** True while the exporter thread is (about to be) parked; an offer that brings the queue to {@link #wakeAt} wakes it. */
  private volatile boolean sleeping;
  /**
   * Queued spans that wake the sleeping exporter: {@code drainSpans}, or fewer when that many more
   * fill the report being built (then the report is due and must not wait for the flush timer).
   */
  private volatile int wakeAt;
  private volatile boolean closed;

  /**
   * @param statPrefix {@code tracing.zipkin} or {@code tracing.opentelemetry}
   * @param collector the collector's address now, or null when its cluster has no endpoint
   */
  public SpanExporter(String statPrefix, SpanFormat format, String path, Supplier<InetSocketAddress> collector,
      Stats stats, Limits limits) {
    this.queue = new SpanQueue<>(limits.queueCapacity());
    this.limits = limits;
    this.wakeAt = limits.drainSpans();
    this.format = format;
    this.collector = collector;
    this.http = new CollectorClient(path.startsWith("/") ? path : "/" + path, format.contentType());
    spansSent = stats.counter(statPrefix + ".spans_sent");
    spansDropped = stats.counter(statPrefix + ".spans_dropped");
    reportsSent = stats.counter(statPrefix + ".reports_sent");
    reportsFailed = stats.counter(statPrefix + ".reports_failed");
    skippedNoCluster = stats.counter(statPrefix + ".reports_skipped_no_cluster");
    timerFlushed = stats.counter(statPrefix + ".timer_flushed");
    thread = BackgroundThreads.start("meshwork-span-export", this::run);
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
    if (sleeping && queue.size() >= wakeAt) {
      sleeping = false;
      LockSupport.unpark(thread); // once per drainSpans spans, not per span
    }
    return true;
  }

  private void run() {
    var batch = format.newBatch(body);
    long intervalNanos = limits.flushInterval().toNanos();
    long deadline = System.nanoTime() + intervalNanos;
    while (true) {
      boolean stopping = closed;
      boolean timer = System.nanoTime() - deadline >= 0;
      // Encode what is queued now, up to a full report, so the queued records die young.
      QueuedSpan s;
      while (batch.size() < limits.maxBatch() && (s = queue.poll()) != null) {
        if (!batch.add(s)) {
          spansDropped.inc(); // a span that cannot be written must not cost the rest of the report
        }
      }
      if (batch.size() >= limits.maxBatch() || (batch.size() > 0 && (timer || stopping))) {
        if (timer && batch.size() < limits.maxBatch()) {
          timerFlushed.inc();
        }
        send(batch);
        deadline = System.nanoTime() + intervalNanos;
        continue;
      }
      if (stopping) {
        if (queue.size() == 0) {
          return; // closed and nothing left
        }
        Thread.onSpinWait(); // a producer claimed a slot and is about to fill it
        continue;
      }
      if (timer) {
        deadline = System.nanoTime() + intervalNanos;
      }
      int wake = Math.min(limits.drainSpans(), limits.maxBatch() - batch.size());
      wakeAt = wake;
      sleeping = true;
      // Re-check after announcing the sleep (no lost wake-up); a slot claimed but not yet filled
      // also keeps the size up, and is picked up on the next pass.
      if (queue.size() < wake && !closed) {
        LockSupport.parkNanos(this, Math.max(1, deadline - System.nanoTime()));
      } else {
        Thread.onSpinWait();
      }
      sleeping = false;
      if (Thread.interrupted()) {
        return;
      }
    }
  }

  /** Frames the encoded spans of {@code batch} into the reused buffer and POSTs it; then starts the next report. */
  private void send(SpanBatch batch) {
    int spans = batch.size();
    try {
      var address = collector.get();
      if (address == null) {
        skippedNoCluster.inc();
        spansDropped.add(spans);
        return;
      }
      try {
        batch.finish();
      } catch (RuntimeException e) {
        reportsFailed.inc();
        spansDropped.add(spans);
        return;
      }
      int status = http.post(address, body.array(), body.size());
      if (status / 100 == 2) {
        reportsSent.inc();
        spansSent.add(spans);
      } else {
        reportsFailed.inc();
        spansDropped.add(spans);
      }
    } catch (java.io.IOException | RuntimeException e) {
      reportsFailed.inc();
      spansDropped.add(spans);
    } finally {
      batch.clear();
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
    http.close(); // do not wait for a report to a collector that hangs: its blocked read fails at once
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
