package io.meshwork.bench.compare;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time and resident memory of a process, read from Linux's {@code /proc}: {@code utime + stime}
 * (fields 14 and 15 of {@code /proc/PID/stat}, in clock ticks) and {@code VmRSS}/{@code VmHWM} of
 * {@code /proc/PID/status}. Returns -1 when the process is gone or this is not Linux.
 */
public final class ProcStats {
  /** USER_HZ; 100 on every Linux architecture the JDK runs on. */
  static final double TICKS_PER_SECOND = 100.0;

  private ProcStats() {}

  public static double cpuSeconds(long pid) {
    try {
      return parseCpuTicks(Files.readString(Path.of("/proc/" + pid + "/stat"))) / TICKS_PER_SECOND;
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /** utime + stime from a {@code /proc/PID/stat} line; the command name may hold spaces, so fields count from its ')'. */
  static long parseCpuTicks(String stat) {
    var rest = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    // rest[0] is field 3 (state): utime is field 14, stime field 15
    return Long.parseLong(rest[11]) + Long.parseLong(rest[12]);
  }

  /**
   * CPU seconds of the process's threads whose name ({@code /proc/PID/task/TID/comm}, which Linux
   * cuts to 15 characters) starts with {@code namePrefix}; 0 when none, -1 when unreadable.
   */
  public static double threadCpuSeconds(long pid, String namePrefix) {
    try (var tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
      long ticks = 0;
      for (var task : tasks.toList()) {
        try {
          if (Files.readString(task.resolve("comm")).strip().startsWith(namePrefix)) {
            ticks += parseCpuTicks(Files.readString(task.resolve("stat")));
          }
        } catch (IOException e) {
          // the thread ended between the listing and the read
        }
      }
      return ticks / TICKS_PER_SECOND;
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  public static long rssKb(long pid) {
    return statusKb(pid, "VmRSS:");
  }

  public static long peakRssKb(long pid) {
    return statusKb(pid, "VmHWM:");
  }

  private static long statusKb(long pid, String key) {
    try {
      return parseStatusKb(Files.readString(Path.of("/proc/" + pid + "/status")), key);
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  static long parseStatusKb(String status, String key) {
    for (var line : status.split("\n")) {
      if (line.startsWith(key)) {
        return Long.parseLong(line.substring(key.length()).strip().split("\\s+")[0]);
      }
    }
    return -1;
  }
}
