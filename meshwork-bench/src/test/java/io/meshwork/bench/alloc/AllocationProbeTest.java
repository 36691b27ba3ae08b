package io.meshwork.bench.alloc;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The probe behind {@code meshwork bench alloc} runs requests through an in-process proxy and finds
 * the proxy's event loop thread: every shape gets a positive byte count from that thread, and the
 * markdown names each shape. Figures are printed, not judged (no thresholds).
 */
class AllocationProbeTest {
  @Test
  void measuresBytesPerRequestOnTheProxysEventLoop() throws Exception {
    var out = new ByteArrayOutputStream();
    var o = new AllocationProbe.Options(50, 100, 1);
    var shapes = List.of(new AllocationProbe.Shape("GET", 0, true), new AllocationProbe.Shape("POST", 512, false));
    var results = AllocationProbe.run(o, shapes, new PrintStream(out, true, StandardCharsets.UTF_8));
    assertThat(results).hasSize(2);
    for (var r : results) {
      assertThat(r.bytesPerRequest()).isPositive();
      assertThat(r.roundBytes()).hasSize(1);
    }
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("bytes/request");
    var md = AllocationProbe.markdown(results, o, "test machine", "0.00", "today", "./meshwork bench alloc");
    assertThat(md).contains("| GET |").contains("| POST |").contains("./meshwork bench alloc");
  }
}
