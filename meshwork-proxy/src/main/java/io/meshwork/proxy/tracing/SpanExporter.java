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
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Sends finished spans to one collector in batches. Event loops only {@link #offer} into a bounded
 * queue, which never blocks: when it is full the span is dropped and counted
 * ({@code <prefix>.spans_dropped}), so a slow or absent collector cannot slow a request. One
 * background thread drains the queue and POSTs a batch when it holds {@code maxBatch} spans or
 * when {@code flushInterval} has passed since the last report (counted as {@code timer_flushed}).
 * The collector address is looked up for every report (the cluster's first endpoint in the
 * current snapshot), so a configuration change moves export without restarting anything.
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

  private final BlockingQueue<SpanData> queue;
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
  private volatile boolean closed;

  /**
   * @param statPrefix {@code tracing.zipkin} or {@code tracing.opentelemetry}
   * @param collector the collector's address now, or null when its cluster has no endpoint
   */
  public SpanExporter(String statPrefix, Function<List<SpanData>, byte[]> encoder, String contentType, String path,
      Supplier<InetSocketAddress> collector, Stats stats, Limits limits) {
    this.queue = new ArrayBlockingQueue<>(limits.queueCapacity());
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

  /** Queues a span; never blocks. Returns false (and counts a drop) when the queue is full. */
  public boolean offer(SpanData span) {
    if (closed || !queue.offer(span)) {
      spansDropped.inc();
      return false;
    }
    return true;
  }

  private void run() {
    var batch = new ArrayList<SpanData>(limits.maxBatch());
    long intervalNanos = limits.flushInterval().toNanos();
    long deadline = System.nanoTime() + intervalNanos;
    while (!closed || !queue.isEmpty()) {
      try {
        long wait = deadline - System.nanoTime();
        var s = wait > 0 ? queue.poll(wait, TimeUnit.NANOSECONDS) : queue.poll();
        if (s != null) {
          batch.add(s);
          queue.drainTo(batch, limits.maxBatch() - batch.size());
        }
        boolean timer = System.nanoTime() - deadline >= 0;
        if (batch.size() >= limits.maxBatch() || (timer && !batch.isEmpty()) || (closed && !batch.isEmpty())) {
          if (timer && batch.size() < limits.maxBatch()) {
            timerFlushed.inc();
          }
          send(batch);
          batch.clear();
          deadline = System.nanoTime() + intervalNanos;
        } else if (timer) {
          deadline = System.nanoTime() + intervalNanos;
        }
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private void send(List<SpanData> batch) throws InterruptedException {
    var address = collector.get();
    if (address == null) {
      skippedNoCluster.inc();
      spansDropped.add(batch.size());
      return;
    }
    try {
      var uri = new URI("http", null, address.getHostString(), address.getPort(), path, null, null);
      var req = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).header("content-type", contentType)
          .POST(HttpRequest.BodyPublishers.ofByteArray(encoder.apply(List.copyOf(batch)))).build();
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
    }
  }

  /** Spans waiting in the queue (for tests and the admin stats). */
  public int queued() {
    return queue.size();
  }

  /** Sends what is queued (waiting up to two seconds), then stops the thread. */
  @Override
  public void close() {
    closed = true;
    try {
      thread.join(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    thread.interrupt();
    http.shutdownNow(); // do not wait for a report to a collector that hangs
  }
}
