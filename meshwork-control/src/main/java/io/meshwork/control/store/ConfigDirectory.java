package io.meshwork.control.store;

import io.meshwork.config.codec.ConfigLoader;
import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * Keeps the store in step with a directory of YAML: loads it at start, then reloads the whole
 * directory after each burst of changes (quiet for 200 ms). The directory is one owner of the
 * store: an edit that makes any document invalid is rejected whole and logged, and the last good
 * config keeps serving; a file deleted from the directory deletes its resources.
 */
public final class ConfigDirectory implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(ConfigDirectory.class.getName());
  private static final long QUIET_MS = 200;

  private final Path dir;
  private final ConfigStore store;
  private final String owner;
  private final WatchService watcher;
  private final Thread thread;
  private volatile ApplyResult last;

  private ConfigDirectory(Path dir, ConfigStore store) throws IOException {
    this.dir = dir;
    this.store = store;
    this.owner = "dir:" + dir.toAbsolutePath();
    this.watcher = FileSystems.getDefault().newWatchService();
    registerAll();
    this.thread = Thread.ofVirtual().name("config-dir-watch").unstarted(this::loop);
  }

  /** Loads {@code dir} into the store and starts watching it; the first load's result is in {@link #lastResult()}. */
  public static ConfigDirectory open(Path dir, ConfigStore store) throws IOException {
    if (!Files.isDirectory(dir)) {
      throw new IOException(dir + " is not a directory; give --config-dir an existing directory of YAML files");
    }
    var d = new ConfigDirectory(dir, store);
    d.reload();
    d.thread.start();
    return d;
  }

  /** The outcome of the last load (errors when the directory's content was rejected). */
  public ApplyResult lastResult() {
    return last;
  }

  private void registerAll() throws IOException {
    try (Stream<Path> dirs = Files.walk(dir)) {
      for (var d : dirs.filter(Files::isDirectory).toList()) {
        d.register(watcher, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_DELETE,
            StandardWatchEventKinds.ENTRY_MODIFY);
      }
    }
  }

  /** Reads the whole directory and syncs it into the store. */
  public synchronized ApplyResult reload() {
    ApplyResult r;
    try {
      var docs = ConfigLoader.create().loadPath(dir);
      r = store.sync(owner, docs);
    } catch (IOException | RuntimeException e) {
      r = ApplyResult.rejected(java.util.List.of("cannot read " + dir + ": " + e.getMessage()), store.snapshot().revision());
    }
    if (!r.ok()) {
      LOG.warning("config directory " + dir + " rejected, the last good config keeps serving: " + String.join("; ", r.errors()));
    } else if (r.changes().stream().anyMatch(c -> c.action() != ApplyResult.Action.UNCHANGED)) {
      LOG.info("config directory " + dir + " loaded at revision " + r.revision());
    }
    last = r;
    return r;
  }

  private void loop() {
    try {
      while (true) {
        var key = watcher.take();
        key.pollEvents();
        key.reset();
        // Drain the burst: editors write a file in several steps.
        for (var k = watcher.poll(QUIET_MS, TimeUnit.MILLISECONDS); k != null; k = watcher.poll(QUIET_MS, TimeUnit.MILLISECONDS)) {
          k.pollEvents();
          k.reset();
        }
        try {
          registerAll();
        } catch (IOException e) {
          LOG.warning("cannot watch new subdirectories of " + dir + ": " + e.getMessage());
        }
        reload();
      }
    } catch (InterruptedException | ClosedWatchServiceException e) {
      // closed
    }
  }

  @Override
  public void close() throws IOException {
    watcher.close();
    thread.interrupt();
  }
}
