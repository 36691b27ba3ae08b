package io.meshwork.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;

/**
 * Writes one benchmark's figures into its own section of {@code docs/benchmarks.md}, between
 * {@code <!-- name:begin -->} and {@code <!-- name:end -->}, leaving other sections as they are.
 */
public final class BenchmarkReport {
  private BenchmarkReport() {}

  /** The machine a figure was measured on: cores, CPU model, JDK. */
  public static String machine() {
    String cpu = "unknown CPU";
    try {
      for (var line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (line.startsWith("model name")) {
          cpu = line.substring(line.indexOf(':') + 1).strip();
          break;
        }
      }
    } catch (IOException ignored) {
      // not Linux: keep "unknown CPU"
    }
    return Runtime.getRuntime().availableProcessors() + " cores, " + cpu + ", JDK " + Runtime.version()
        + " (" + System.getProperty("java.vendor") + "), JVM flags: " + String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments());
  }

  /** The 1-minute load average when asked: on a shared 2-core machine, figures only compare within a run. */
  public static String load() {
    try {
      return "load average " + Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
    } catch (IOException | RuntimeException e) {
      return "load average unknown";
    }
  }

  public static String today() {
    return ZonedDateTime.now().format(DateTimeFormatter.ISO_LOCAL_DATE);
  }

  /** Replaces (or appends) the section {@code name} of the markdown file with {@code body}. */
  public static void writeSection(Path file, String name, String body) throws IOException {
    var begin = "<!-- " + name + ":begin -->";
    var end = "<!-- " + name + ":end -->";
    String text = Files.exists(file) ? Files.readString(file) : "# Benchmarks\n\nFigures measured by `meshwork-bench`; each section is rewritten by the benchmark that owns it.\n";
    var section = begin + "\n" + body.strip() + "\n" + end;
    int b = text.indexOf(begin);
    int e = text.indexOf(end);
    if (b >= 0 && e > b) {
      text = text.substring(0, b) + section + text.substring(e + end.length());
    } else {
      text = text.stripTrailing() + "\n\n" + section + "\n";
    }
    Files.createDirectories(file.toAbsolutePath().getParent());
    Files.writeString(file, text);
  }
}
