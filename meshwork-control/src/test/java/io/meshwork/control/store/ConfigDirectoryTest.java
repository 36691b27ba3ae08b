package io.meshwork.control.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.config.ResourceKey;
import io.meshwork.control.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigDirectoryTest {
  @TempDir Path dir;

  static void await(BooleanSupplier cond) throws InterruptedException {
    long deadline = System.nanoTime() + 20_000_000_000L;
    while (!cond.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met in time");
      }
      Thread.sleep(20);
    }
  }

  @Test
  void loadsWatchesAndKeepsTheLastGoodConfigWhenAnEditIsInvalid() throws Exception {
    Files.writeString(dir.resolve("svc.yaml"), Fixtures.REVIEWS_SVC);
    var store = new ConfigStore();
    var key = new ResourceKey("", "Service", "default", "reviews");
    try (var d = ConfigDirectory.open(dir, store)) {
      assertThat(d.lastResult().ok()).isTrue();
      assertThat(store.snapshot().get(key)).isNotNull();

      Files.writeString(dir.resolve("svc.yaml"), Fixtures.REVIEWS_SVC + "---\napiVersion: v1\nkind: Service\nmetadata:\n  name: Bad_Name\n");
      await(() -> d.lastResult() != null && !d.lastResult().ok());
      assertThat(d.lastResult().errors()).anyMatch(e -> e.contains("metadata.name"));
      assertThat(store.snapshot().get(key)).isNotNull();

      Files.writeString(dir.resolve("svc.yaml"), Fixtures.REVIEWS_SVC.replace("reviews", "ratings"));
      await(() -> store.snapshot().get(key) == null);
      assertThat(store.snapshot().get(new ResourceKey("", "Service", "default", "ratings"))).isNotNull();
    }
  }
}
