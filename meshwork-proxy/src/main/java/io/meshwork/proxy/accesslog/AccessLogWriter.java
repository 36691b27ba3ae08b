package io.meshwork.proxy.accesslog;

import io.meshwork.proxy.background.BackgroundThreads;
import io.meshwork.proxy.config.AccessLogConfig;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Writes access log lines from a bounded queue on one background thread. When the queue is full a
 * line is dropped and counted ({@link #dropped()}) rather than blocking an event loop: a slow disk
 * must not slow requests.
 */
public final class AccessLogWriter implements AutoCloseable {
  private record Line(AccessLogConfig target, String text) {}

  private final BlockingQueue<Line> queue = new ArrayBlockingQueue<>(16_384);
  private final Map<String, OutputStream> outputs = new HashMap<>(); // by path: one stream per file
  private final PrintStream stdout;
  private final AtomicLong dropped = new AtomicLong();
  private final Thread thread;
  private volatile boolean closed;

  public AccessLogWriter(PrintStream stdout) {
    this.stdout = stdout;
    thread = BackgroundThreads.start("meshwork-access-log", this::run);
  }

  public void log(List<AccessLogConfig> targets, AccessLogEntry entry) {
    if (targets.isEmpty()) {
      return;
    }
    String defaultLine = null;
    for (var t : targets) {
      if (!LogFilters.accepts(t.filter(), entry)) {
        continue;
      }
      String text;
      if (t.text() == null && t.json() == null) {
        text = defaultLine != null ? defaultLine : (defaultLine = EnvoyTextFormat.format(entry));
      } else {
        text = LogFormatter.format(t, entry); // formatted here: the entry's header views die with the request
      }
      if (!queue.offer(new Line(t, text))) {
        dropped.incrementAndGet();
      }
    }
  }

  public long dropped() {
    return dropped.get();
  }

  private void run() {
    var batch = new ArrayList<Line>();
    while (!closed || !queue.isEmpty()) {
      try {
        var first = queue.poll(100, TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        batch.add(first);
        queue.drainTo(batch, 1023);
        for (var l : batch) {
          write(l);
        }
        for (var o : outputs.values()) {
          o.flush();
        }
        stdout.flush();
      } catch (InterruptedException e) {
        return;
      } catch (IOException e) {
        dropped.addAndGet(batch.size());
      } finally {
        batch.clear();
      }
    }
  }

  private void write(Line l) throws IOException {
    if (l.target().path() == null) {
      stdout.print(l.text());
      return;
    }
    var out = outputs.get(l.target().path());
    if (out == null) {
      out = Files.newOutputStream(Path.of(l.target().path()), StandardOpenOption.CREATE, StandardOpenOption.APPEND);
      outputs.put(l.target().path(), out);
    }
    out.write(l.text().getBytes(StandardCharsets.UTF_8));
  }

  /** Flushes what is queued (waiting up to a second) and closes files. */
  @Override
  public void close() {
    closed = true;
    try {
      thread.join(1000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (var o : outputs.values()) {
      try {
        o.close();
      } catch (IOException ignored) {
        // closing at shutdown: nothing useful to do
      }
    }
  }
}
