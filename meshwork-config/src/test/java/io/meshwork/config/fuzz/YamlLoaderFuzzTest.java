package io.meshwork.config.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.meshwork.config.codec.ConfigLoader;
import java.nio.charset.StandardCharsets;

/**
 * Arbitrary text into the YAML loader that reads every file and REST body of the control plane.
 * Whatever the input (broken YAML, anchors and aliases, deep nesting, huge scalars, wrong types),
 * the loader must report problems as results, never throw, and never run away (the YAML mapper
 * limits aliases, nesting depth and document size).
 */
class YamlLoaderFuzzTest {
  @FuzzTest(maxDuration = "5m")
  void loadingNeverThrows(byte[] input) {
    var text = new String(input, StandardCharsets.UTF_8);
    ConfigLoader.create().loadText("fuzz.yaml", text);
  }
}
