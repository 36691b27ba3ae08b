package io.meshwork.proxy.background;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** A background thread runs {@link BackgroundThreads#NICE} nice steps below its starter, which keeps its own priority. */
class BackgroundThreadsTest {
  /** The calling thread's nice value, read by the kernel's own account of it. */
  private static int ownNice() throws Exception {
    var stat = Files.readString(Path.of("/proc/thread-self/stat"));
    return Integer.parseInt(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[16]);
  }

  @Test
  void theBackgroundThreadIsNicerThanItsStarter() throws Exception {
    assumeTrue(Files.exists(Path.of("/proc/thread-self/stat")), "Linux only");
    assertThat(BackgroundThreads.lowered()).as("setpriority and gettid are reachable on Linux").isTrue();
    int before = ownNice();
    var seen = new AtomicInteger(Integer.MIN_VALUE);
    var t = BackgroundThreads.start("nice-probe", () -> {
      try {
        seen.set(ownNice());
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    t.join(10_000);
    assertThat(t.isDaemon()).isTrue();
    assertThat(seen.get()).isEqualTo(Math.min(19, before + BackgroundThreads.NICE));
    assertThat(ownNice()).as("the starter's priority is untouched").isEqualTo(before);
  }
}
