package io.meshwork.bench.compare;

import io.meshwork.bench.BenchmarkReport;
import io.meshwork.bench.load.PhaseResult;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Runs the one-hop scenario once per {@link Lever}, each a fresh proxy process, and tabulates what
 * each setting bought against the baseline of the same invocation (the machine is too noisy to
 * compare across invocations).
 */
public final class LeverRunner {
  private final CompareOptions base;
  private final PrintStream progress;

  public LeverRunner(CompareOptions base, PrintStream progress) {
    this.base = base;
    this.progress = progress;
  }

  /** One lever's row. */
  public record LeverResult(Lever lever, ScenarioResult row) {}

  public List<LeverResult> run(List<Lever> levers) throws IOException, InterruptedException {
    var results = new ArrayList<LeverResult>();
    for (var lever : levers) {
      progress.println("bench: lever " + lever.name() + " " + String.join(" ", lever.jvmFlags()) + " " + String.join(" ", lever.proxyArgs()));
      var o = base.withScenarios(List.of(Scenario.ONE_HOP)).withProxy(lever.jvmFlags(), lever.proxyArgs())
          .withLabel("lever-" + lever.name());
      var report = new CompareRunner(o, progress).run("lever " + lever.name());
      results.add(new LeverResult(lever, report.rows().getFirst()));
    }
    return results;
  }

  public static String markdown(CompareOptions o, String command, List<LeverResult> results) {
    var sb = new StringBuilder();
    sb.append("Run on ").append(BenchmarkReport.today()).append(", machine: ").append(BenchmarkReport.machine()).append(".\n\n");
    sb.append("Command: `").append(command).append("`. Each lever is one run of scenario 3 (one hop) with a fresh proxy; ")
        .append("saturation ").append(o.saturationMillis() / 1000.0).append(" s, fixed rates ").append(o.rateMillis() / 1000.0)
        .append(" s. Compare rows only with the baseline of this table.\n\n");
    sb.append("| lever | JVM flags / args | sat rps | p50 / p99 ms @1k | CPU s/1k req @1k | RSS MB idle → load | ready ms |\n");
    sb.append("|---|---|---:|---:|---:|---|---:|\n");
    for (var r : results) {
      var row = r.row();
      sb.append("| ").append(r.lever().name()).append(" | `").append(String.join(" ", r.lever().jvmFlags()))
          .append(r.lever().proxyArgs().isEmpty() ? "" : " " + String.join(" ", r.lever().proxyArgs())).append("` |");
      if (!row.ok()) {
        sb.append(' ').append(row.status()).append(": ").append(row.note().replace("|", "/")).append(" | | | | |\n");
        continue;
      }
      var sat = row.phase(CompareRunner.SATURATION).map(PhaseResult::throughput).orElse(-1.0);
      var r1k = row.phase(ScenarioResult.ratePhase(1000));
      var p = row.proxies().getFirst();
      sb.append(' ').append(CompareTable.fmt0(sat)).append(" | ")
          .append(r1k.map(x -> CompareTable.fmt2(x.latency().p50()) + " / " + CompareTable.fmt2(x.latency().p99())).orElse("-")).append(" | ")
          .append(CompareTable.fmt3(p.cpuSecondsPer1k().get(ScenarioResult.ratePhase(1000)))).append(" | ")
          .append(CompareTable.fmt0(p.rssIdleMb())).append(" → ").append(CompareTable.fmt0(p.rssLoadMb())).append(" | ")
          .append(String.format(Locale.ROOT, "%,.0f", p.readyMillis())).append(" |\n");
    }
    return sb.toString();
  }
}
