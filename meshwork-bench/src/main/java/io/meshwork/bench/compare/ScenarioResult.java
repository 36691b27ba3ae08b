package io.meshwork.bench.compare;

import io.meshwork.bench.load.PhaseResult;
import java.util.List;
import java.util.Optional;

/** One row of the comparison: its status ("ok", "not yet: ...", "failed: ..."), the load phases and the proxies' figures. */
public record ScenarioResult(String number, String id, String description, String status, String note,
    List<PhaseResult> phases, List<ProxyFigures> proxies) {
  public ScenarioResult {
    phases = List.copyOf(phases);
    proxies = List.copyOf(proxies);
  }

  public boolean ok() {
    return status.equals("ok");
  }

  public Optional<PhaseResult> phase(String name) {
    return phases.stream().filter(p -> p.name().equals(name)).findFirst();
  }

  /** The name of the fixed-rate phase for {@code rate} requests per second. */
  public static String ratePhase(double rate) {
    return "r" + (long) rate;
  }
}
