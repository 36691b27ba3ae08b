package io.meshwork.console.trace;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * Persistence for the trace store: every accepted batch is appended as one JSON line to
 * {@code spans.jsonl} and flushed to the OS, so a restarted console replays what it held. When the
 * log grows past {@code compactBytes} it is rewritten from the store's current content, which
 * drops evicted traces and keeps the directory bounded like the store.
 */
public final class TraceLog implements AutoCloseable {
  private static final TypeReference<List<Span>> BATCH = new TypeReference<>() {};
  private final ObjectMapper json = new ObjectMapper().enable(DeserializationFeature.USE_LONG_FOR_INTS)
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
  private final Path file;
  private final TraceStore store;
  private final long compactBytes;
  private BufferedWriter out;
  private long size;

  private TraceLog(Path dir, TraceStore store, long compactBytes) {
    this.file = dir.resolve("spans.jsonl");
    this.store = store;
    this.compactBytes = compactBytes;
  }

  /** Replays {@code dir/spans.jsonl} into the store, then logs every new batch. */
  public static TraceLog open(Path dir, TraceStore store, long compactBytes) throws IOException {
    Files.createDirectories(dir);
    var log = new TraceLog(dir, store, compactBytes);
    log.replay();
    log.compact();
    store.onAppend(log::append);
    return log;
  }

  private void replay() throws IOException {
    if (!Files.exists(file)) {
      return;
    }
    try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String line;
      while ((line = r.readLine()) != null) {
        if (!line.isBlank()) {
          try {
            store.addQuietly(json.readValue(line, BATCH));
          } catch (IOException torn) {
            // A line cut short by a crash: everything before it is intact, so stop here.
            break;
          }
        }
      }
    }
  }

  private synchronized void append(List<Span> batch) {
    try {
      String line = json.writeValueAsString(batch);
      out.write(line);
      out.write('\n');
      out.flush();
      size += line.length() + 1;
      if (size > compactBytes) {
        compact();
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the trace log " + file + ": " + e.getMessage(), e);
    }
  }

  /** Rewrites the log from the store's content (called with the store's lock held, or at open). */
  private synchronized void compact() throws IOException {
    if (out != null) {
      out.close();
    }
    Path tmp = file.resolveSibling("spans.jsonl.tmp");
    long n = 0;
    try (BufferedWriter w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
      for (List<Span> t : store.all()) {
        String line = json.writeValueAsString(t);
        w.write(line);
        w.write('\n');
        n += line.length() + 1;
      }
    }
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    size = n;
    out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
  }

  @Override
  public synchronized void close() throws IOException {
    store.onAppend(b -> {});
    if (out != null) {
      out.close();
      out = null;
    }
  }
}
