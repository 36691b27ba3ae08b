package io.meshwork.cli.demo;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.Optional;

/**
 * The state directory of a detached demo ({@code $MESHWORK_HOME/demo}, else {@code ~/.meshwork/demo}):
 * {@code demo.json} (a {@link DemoInfo}, written once everything is ready, removed when the demo
 * stops), {@code demo.failed} (the one-sentence reason a detached start failed) and {@code demo.log}
 * (everything the demo printed). A {@code demo.json} whose process is gone, or whose pid now belongs
 * to another process, is stale: {@link #running()} says so and the caller removes it.
 */
public final class DemoState {
  static final ObjectMapper JSON = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  private final Path dir;

  public DemoState(Path dir) {
    this.dir = dir;
  }

  /** {@code $MESHWORK_HOME/demo}, else {@code ~/.meshwork/demo}. */
  public static Path defaultDir() {
    var home = System.getenv("MESHWORK_HOME");
    return (home != null && !home.isBlank() ? Path.of(home) : Path.of(System.getProperty("user.home"), ".meshwork")).resolve("demo");
  }

  public Path dir() {
    return dir;
  }

  public Path infoFile() {
    return dir.resolve("demo.json");
  }

  public Path failedFile() {
    return dir.resolve("demo.failed");
  }

  public Path logFile() {
    return dir.resolve("demo.log");
  }

  /** The recorded demo, running or not; empty when there is no (readable) state file. */
  public Optional<DemoInfo> read() {
    try {
      return Optional.of(JSON.readValue(Files.readString(infoFile()), DemoInfo.class));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** The recorded demo if its JVM is still the process that wrote the file. */
  public Optional<DemoInfo> running() {
    return read().filter(DemoState::alive);
  }

  /** Whether {@code info}'s JVM still runs (same pid and the same start time, to a second). */
  public static boolean alive(DemoInfo info) {
    return ProcessHandle.of(info.pid()).filter(ProcessHandle::isAlive)
        .filter(p -> p.info().startInstant().map(Instant::toEpochMilli).map(t -> Math.abs(t - info.startedAt()) < 2000).orElse(true))
        .isPresent();
  }

  /** Writes {@code demo.json} so that a reader sees the old file or the whole new one. */
  public void write(DemoInfo info) throws IOException {
    Files.createDirectories(dir);
    var tmp = dir.resolve("demo.json.tmp");
    Files.writeString(tmp, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(info) + "\n");
    try {
      Files.move(tmp, infoFile(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, infoFile(), StandardCopyOption.REPLACE_EXISTING);
    }
  }

  public void writeFailure(String sentence) throws IOException {
    Files.createDirectories(dir);
    Files.writeString(failedFile(), sentence + "\n");
  }

  /** Removes {@code demo.json} and {@code demo.failed} (not the log, which explains what happened). */
  public void clear() {
    try {
      Files.deleteIfExists(infoFile());
      Files.deleteIfExists(failedFile());
    } catch (IOException e) {
      // a leftover file is stale and handled as such next time
    }
  }

  /** One line of JSON (what {@code --detach} prints). */
  public static String json(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
