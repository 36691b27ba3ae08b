package io.meshwork.bench.compare;

import java.util.List;

/** A whole comparison run: when, where, how (the exact command and options), and the rows. */
public record CompareReport(String date, String machine, String command, String label, String note, CompareOptions options,
    List<ScenarioResult> rows) {
  public CompareReport {
    rows = List.copyOf(rows);
  }
}
