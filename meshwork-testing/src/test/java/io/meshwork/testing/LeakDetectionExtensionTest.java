package io.meshwork.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import org.junit.jupiter.api.Test;

class LeakDetectionExtensionTest {
  static {
    LeakDetectionExtension.install();
  }

  @Test
  void recordsALeakedBufferOnceItIsCollected() throws Exception {
    LeakDetectionExtension.drainLeaks();
    leak();
    LeakDetectionExtension.collectGarbage();
    assertThat(LeakDetectionExtension.drainLeaks()).isNotEmpty().allSatisfy(l -> assertThat(l).contains("LEAK"));
  }

  @Test
  void releasedBuffersAreNotLeaks() throws Exception {
    LeakDetectionExtension.drainLeaks();
    var b = PooledByteBufAllocator.DEFAULT.buffer(64);
    b.writeLong(1);
    b.release();
    LeakDetectionExtension.collectGarbage();
    assertThat(LeakDetectionExtension.drainLeaks()).isEmpty();
  }

  @Test
  void afterEachFailsTheTestThatLeaked() throws Exception {
    LeakDetectionExtension.drainLeaks();
    leak();
    LeakDetectionExtension.collectGarbage();
    assertThatThrownBy(() -> LeakDetectionExtension.failOnLeaks("leakyTest()"))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("Netty buffer leak(s) during leakyTest()");
    assertThat(LeakDetectionExtension.drainLeaks()).isEmpty();
  }

  private static void leak() {
    var b = ByteBufAllocator.DEFAULT.buffer(32);
    b.writeInt(42);
    b.toString(java.nio.charset.StandardCharsets.UTF_8);
    // dropped without release
  }
}
