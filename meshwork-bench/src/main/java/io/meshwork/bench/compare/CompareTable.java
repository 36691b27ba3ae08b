package io.meshwork.bench.compare;

import io.meshwork.bench.load.LatencyStats;
import io.meshwork.bench.load.PhaseResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Renders a {@link CompareReport} as markdown: the table (one row per scenario), the latency each
 * row adds over direct, and each target of issues 3 and 9 with the measured ratio and whether it was
 * met. Targets are reported, never asserted.
 */
public final class CompareTable {
  private CompareTable() {}

  public static String markdown(CompareReport r) {
    var sb = new StringBuilder();
    var o = r.options();
    sb.append("Run `").append(r.label()).append("` on ").append(r.date()).append(".\n\n");
    sb.append("- Machine: ").append(r.machine()).append("\n");
    sb.append("- Command: `").append(r.command()).append("`\n");
    sb.append("- Load: ").append(o.connections()).append(" connections, ").append(switch (o.protocol()) {
          case HTTP1 -> "HTTP/1.1 keep-alive, POST with a ";
          case H2C -> "h2c (prior knowledge, one stream in flight per connection), POST with a ";
          case GRPC -> "gRPC unary calls over h2c (one stream in flight per connection), one message of ";
        }).append(o.payloadBytes()).append("-byte body echoed back; saturation = closed loop for ")
        .append(o.saturationMillis() / 1000.0).append(" s after ").append(o.warmMillis() / 1000.0)
        .append(" s of warm-up; fixed rates = open loop for ").append(o.rateMillis() / 1000.0).append(" s each (after ")
        .append(o.rateWarmMillis() / 1000.0).append(" s), latency from the intended start (coordinated omission corrected)")
        .append(o.maxRequests() > 0 ? "; at most " + o.maxRequests() + " requests per phase" : "").append(".\n");
    sb.append("- Proxy JVM flags: ").append(o.proxyJvmFlags().isEmpty() ? "(JVM defaults)" : "`" + String.join(" ", o.proxyJvmFlags()) + "`")
        .append(o.proxyArgs().isEmpty() ? "" : "; proxy arguments `" + String.join(" ", o.proxyArgs()) + "`").append(".\n");
    if (!r.note().isEmpty()) {
      sb.append("- ").append(r.note()).append("\n");
    }
    sb.append("\n");
    sb.append("| # | scenario | saturation rps |");
    for (double rate : o.rates()) {
      sb.append(" p50 / p90 / p99 ms @").append(fmtRate(rate)).append(" rps |");
    }
    sb.append(" proxy CPU s per 1k req (sat; @1k) | proxy RSS MB idle → load | proxy ready ms |\n");
    sb.append("|---|---|---:|").append("---:|".repeat(o.rates().size())).append("---|---|---:|\n");
    for (var row : r.rows()) {
      sb.append("| ").append(row.number()).append(" | ").append(row.id()).append(" |");
      if (!row.ok()) {
        sb.append(" ").append(row.status()).append(": ").append(row.note().replace("|", "/")).append(" |")
            .append(" |".repeat(o.rates().size() + 3)).append("\n");
        continue;
      }
      sb.append(' ').append(row.phase(CompareRunner.SATURATION).map(p -> fmt0(p.throughput()) + errors(p)).orElse("-")).append(" |");
      for (double rate : o.rates()) {
        sb.append(' ').append(row.phase(ScenarioResult.ratePhase(rate)).map(CompareTable::latencyCell).orElse("-")).append(" |");
      }
      if (row.proxies().isEmpty()) {
        sb.append(" - | - | - |\n");
        continue;
      }
      sb.append(' ').append(row.proxies().stream().map(p -> fmt3(p.cpuSecondsPer1k().get(CompareRunner.SATURATION)) + "; "
          + fmt3(p.cpuSecondsPer1k().get(ScenarioResult.ratePhase(1000)))).collect(Collectors.joining(" + "))).append(" |");
      sb.append(' ').append(row.proxies().stream().map(p -> fmt0(p.rssIdleMb()) + " → " + fmt0(p.rssLoadMb()))
          .collect(Collectors.joining(" + "))).append(" |");
      sb.append(' ').append(row.proxies().stream().map(p -> fmt0(p.readyMillis())).collect(Collectors.joining(" + "))).append(" |\n");
    }
    sb.append("\nRows with two proxies list them server side first. Descriptions:\n\n");
    for (var row : r.rows()) {
      sb.append("- ").append(row.number()).append(" `").append(row.id()).append("`: ").append(row.description()).append("\n");
    }
    sb.append(added(r));
    sb.append(targets(r));
    return sb.toString();
  }

  private static String latencyCell(PhaseResult p) {
    var l = p.latency();
    var s = fmt2(l.p50()) + " / " + fmt2(l.p90()) + " / " + fmt2(l.p99());
    if (p.missed() > 0) {
      s += " (missed " + p.missed() + ")";
    }
    return s + errors(p);
  }

  private static String errors(PhaseResult p) {
    return p.errors() > 0 ? " (" + p.errors() + " errors)" : "";
  }

  /** Latency added over the direct row at 1,000 rps. */
  static String added(CompareReport r) {
    var direct = row(r, Scenario.DIRECT).flatMap(d -> d.phase(ScenarioResult.ratePhase(1000)));
    if (direct.isEmpty()) {
      return "";
    }
    var sb = new StringBuilder("\nLatency added over direct at 1,000 rps (ms, p50 / p90 / p99):\n\n");
    for (var row : r.rows()) {
      if (!row.ok() || row.id().equals(Scenario.DIRECT.id())) {
        continue;
      }
      row.phase(ScenarioResult.ratePhase(1000)).ifPresent(p -> {
        var a = addedOver(p.latency(), direct.get().latency());
        sb.append("- ").append(row.id()).append(": ").append(fmt2(a[0])).append(" / ").append(fmt2(a[1])).append(" / ")
            .append(fmt2(a[2])).append("\n");
      });
    }
    return sb.toString();
  }

  static double[] addedOver(LatencyStats s, LatencyStats direct) {
    return new double[] {s.p50() - direct.p50(), s.p90() - direct.p90(), s.p99() - direct.p99()};
  }

  /** The targets of issues 3 and 9 against this run's figures. */
  static String targets(CompareReport r) {
    var lines = new ArrayList<String>();
    var direct = row(r, Scenario.DIRECT);
    var hop1 = row(r, Scenario.ONE_HOP);
    var hop2 = row(r, Scenario.TWO_HOPS);
    var haHop = row(r, Scenario.HAPROXY_HOP);
    var haPair = row(r, Scenario.HAPROXY_PAIR);
    ratio(lines, "saturation, one hop: ours / HAProxy ≥ 0.8", hop1, haHop, 0.8);
    ratio(lines, "saturation, pair: ours (plaintext) / HAProxy pair ≥ 0.8", hop2, haPair, 0.8);
    addedRatio(lines, "added latency @1k, one hop: ours ≤ HAProxy's", direct, hop1, haHop);
    addedRatio(lines, "added latency @1k, pair: ours (plaintext) ≤ HAProxy pair's (aim 0.8x)", direct, hop2, haPair);
    // Issue 9's headline targets: our pair with mTLS (and as the default mesh) against the HAProxy pair with TLS, in this run.
    var mtls = row(r, Scenario.TWO_HOPS_MTLS);
    var mesh = row(r, Scenario.TWO_HOPS_MTLS_TELEMETRY);
    ratio(lines, "saturation, pair with mTLS: ours (hop2-mtls) / HAProxy pair with TLS ≥ 0.8", mtls, haPair, 0.8);
    addedRatio(lines, "added latency @1k, pair with mTLS: ours (hop2-mtls) ≤ HAProxy TLS pair's (aim 0.8x)", direct, mtls, haPair);
    ratio(lines, "saturation, default mesh: ours (hop2-mtls-telemetry) / HAProxy pair with TLS ≥ 0.8", mesh, haPair, 0.8);
    addedRatio(lines, "added latency @1k, default mesh: ours (hop2-mtls-telemetry) ≤ HAProxy TLS pair's (aim 0.8x)", direct, mesh,
        haPair);
    for (var row : List.of(hop1, hop2, row(r, Scenario.L4_ROUND_ROBIN))) {
      row.filter(ScenarioResult::ok).ifPresent(x -> {
        for (var p : x.proxies()) {
          Double cpu = p.cpuSecondsPer1k().get(ScenarioResult.ratePhase(1000));
          if (cpu != null) {
            lines.add(verdict(cpu <= 0.10) + " CPU @1k rps, " + x.id() + " " + p.name() + ": " + fmt3(cpu)
                + " vCPU per 1,000 rps (target ≤ 0.10; Envoy 0.20)");
          }
          lines.add(verdict(p.rssLoadMb() <= 64) + " RSS under load, " + x.id() + " " + p.name() + ": " + fmt0(p.rssLoadMb())
              + " MB (target ≤ 64 MB)");
          lines.add(verdict(p.readyMillis() <= 1000) + " ready, " + x.id() + " " + p.name() + ": " + fmt0(p.readyMillis())
              + " ms (target ≤ 1,000 ms)");
        }
      });
    }
    if (lines.isEmpty()) {
      return "";
    }
    return "\nTargets (issues 3 and 9; compared within this run only):\n\n"
        + lines.stream().map(l -> "- " + l).collect(Collectors.joining("\n")) + "\n";
  }

  private static void ratio(List<String> lines, String what, Optional<ScenarioResult> ours, Optional<ScenarioResult> ref, double min) {
    if (ours.filter(ScenarioResult::ok).isEmpty() || ref.filter(ScenarioResult::ok).isEmpty()) {
      return;
    }
    var a = ours.get().phase(CompareRunner.SATURATION).map(PhaseResult::throughput).orElse(0.0);
    var b = ref.get().phase(CompareRunner.SATURATION).map(PhaseResult::throughput).orElse(0.0);
    if (b > 0) {
      lines.add(verdict(a / b >= min) + " " + what + ": " + fmt0(a) + " / " + fmt0(b) + " = " + fmt2(a / b));
    }
  }

  private static void addedRatio(List<String> lines, String what, Optional<ScenarioResult> direct, Optional<ScenarioResult> ours,
      Optional<ScenarioResult> ref) {
    var rate = ScenarioResult.ratePhase(1000);
    var d = direct.filter(ScenarioResult::ok).flatMap(x -> x.phase(rate));
    var a = ours.filter(ScenarioResult::ok).flatMap(x -> x.phase(rate));
    var b = ref.filter(ScenarioResult::ok).flatMap(x -> x.phase(rate));
    if (d.isEmpty() || a.isEmpty() || b.isEmpty()) {
      return;
    }
    var x = addedOver(a.get().latency(), d.get().latency());
    var y = addedOver(b.get().latency(), d.get().latency());
    boolean met = x[0] <= y[0] && x[1] <= y[1] && x[2] <= y[2];
    lines.add(verdict(met) + " " + what + ": ours " + fmt2(x[0]) + " / " + fmt2(x[1]) + " / " + fmt2(x[2]) + " ms vs "
        + fmt2(y[0]) + " / " + fmt2(y[1]) + " / " + fmt2(y[2]) + " ms (p50 / p90 / p99)");
  }

  private static String verdict(boolean met) {
    return met ? "**met**" : "**MISSED**";
  }

  private static Optional<ScenarioResult> row(CompareReport r, Scenario s) {
    return r.rows().stream().filter(x -> x.id().equals(s.id())).findFirst();
  }

  static String fmtRate(double r) {
    return String.format(Locale.ROOT, "%,d", (long) r);
  }

  static String fmt0(double v) {
    return v < 0 ? "-" : String.format(Locale.ROOT, "%,.0f", v);
  }

  static String fmt2(double v) {
    return String.format(Locale.ROOT, "%.2f", v);
  }

  static String fmt3(Double v) {
    return v == null || v < 0 ? "-" : String.format(Locale.ROOT, "%.3f", v);
  }
}
