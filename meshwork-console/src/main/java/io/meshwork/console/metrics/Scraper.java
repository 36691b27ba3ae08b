package io.meshwork.console.metrics;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Scrapes every target in Prometheus text format into the store on a fixed interval, adding
 * {@code instance} (host:port) like Prometheus so two proxies' counters never merge into one
 * series. A failed target is recorded in {@link #lastErrors()} and retried next round.
 */
public final class Scraper implements AutoCloseable {
  private final TargetSource source;
  private volatile List<URI> lastTargets = List.of();
  private final SeriesStore store;
  private final Clock clock;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final Map<URI, String> lastErrors = new ConcurrentHashMap<>();
  private ScheduledExecutorService timer;

  public Scraper(TargetSource source, SeriesStore store, Clock clock) {
    this.source = source;
    this.store = store;
    this.clock = clock;
  }

  /** Starts scraping every {@code interval} on a virtual thread. */
  public void start(Duration interval) {
    timer = Executors.newSingleThreadScheduledExecutor(Thread.ofVirtual().name("console-scraper").factory());
    timer.scheduleWithFixedDelay(this::scrapeOnce, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * One round over all targets in parallel (one virtual thread each, so a slow proxy delays no
   * other), every sample stamped with the round's start time.
   */
  public void scrapeOnce() {
    long now = clock.millis();
    var targets = source.targets();
    lastTargets = List.copyOf(targets);
    try (var threads = Executors.newVirtualThreadPerTaskExecutor()) {
      for (URI target : targets) {
        threads.submit(() -> scrape(target, now));
      }
    }
    store.prune(now);
  }

  private void scrape(URI target, long now) {
    try {
      var resp = http.send(HttpRequest.newBuilder(target).timeout(Duration.ofSeconds(5)).header("Accept", "text/plain").GET().build(),
          HttpResponse.BodyHandlers.ofString());
      if (resp.statusCode() != 200) {
        lastErrors.put(target, "HTTP " + resp.statusCode());
        return;
      }
      String instance = target.getHost() + ":" + target.getPort();
      PromText.parse(resp.body(), (name, labels, value) -> {
        var l = new HashMap<>(labels);
        l.put("instance", instance);
        store.add(name, l, now, value);
      });
      lastErrors.remove(target);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      lastErrors.put(target, e.getClass().getSimpleName() + ": " + e.getMessage());
    }
  }

  /** The targets of the last round (static, file and control-plane ones together). */
  public List<URI> lastTargets() {
    return lastTargets;
  }

  public Map<URI, String> lastErrors() {
    return Map.copyOf(lastErrors);
  }

  @Override
  public void close() {
    if (timer != null) {
      timer.shutdownNow();
    }
  }
}
