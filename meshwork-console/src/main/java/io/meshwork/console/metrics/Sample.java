package io.meshwork.console.metrics;

import java.util.Map;

/** One element of an instant vector: the grouping labels and the value. */
public record Sample(Map<String, String> labels, double value) {
  public String label(String name) {
    return labels.getOrDefault(name, "");
  }
}
