package io.meshwork.config.analysis;

/** How bad a finding is; only ERROR makes {@code meshwork analyze} exit 1. */
public enum Severity {
  ERROR,
  WARNING,
  INFO;

  public String label() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
