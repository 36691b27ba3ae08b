package io.meshwork.bench.compare;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Reading CPU ticks and memory from /proc text. */
class ProcStatsTest {
  @Test
  void readsUtimePlusStimeEvenWhenTheCommandHasSpacesAndParentheses() {
    var stat = "4242 (my (odd) cmd) S 1 4242 4242 0 -1 4194560 1000 0 0 0 250 75 0 0 20 0 17 0 12345 0 0";
    assertThat(ProcStats.parseCpuTicks(stat)).isEqualTo(325);
  }

  @Test
  void readsResidentMemoryInKilobytes() {
    var status = "Name:\tjava\nVmPeak:\t 9000000 kB\nVmHWM:\t  120000 kB\nVmRSS:\t   98765 kB\nThreads:\t20\n";
    assertThat(ProcStats.parseStatusKb(status, "VmRSS:")).isEqualTo(98765);
    assertThat(ProcStats.parseStatusKb(status, "VmHWM:")).isEqualTo(120000);
    assertThat(ProcStats.parseStatusKb(status, "VmSwap:")).isEqualTo(-1);
  }

  @Test
  void readsThisProcess() {
    long pid = ProcessHandle.current().pid();
    assertThat(ProcStats.rssKb(pid)).isPositive();
    assertThat(ProcStats.cpuSeconds(pid)).isGreaterThanOrEqualTo(0);
    assertThat(ProcStats.cpuSeconds(Long.MAX_VALUE)).isEqualTo(-1);
  }
}
