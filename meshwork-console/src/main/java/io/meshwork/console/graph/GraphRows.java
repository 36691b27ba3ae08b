package io.meshwork.console.graph;

import io.meshwork.console.metrics.Matcher;
import io.meshwork.console.metrics.MetricsBackend;
import io.meshwork.console.metrics.Sample;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Runs one query shape for every requested namespace the way Kiali does (inbound traffic as the
 * destination reported it, outbound as the source reported it) and merges the two: the
 * destination's numbers win for any edge it reported, and the source's fill in edges the
 * destination could not report (no sidecar there, or the request never arrived: UH, NR, UF).
 */
final class GraphRows {
  private GraphRows() {}

  /** One merged row and whether a destination proxy reported it. */
  record Row(Sample sample, boolean destinationReported) {}

  interface Query {
    List<Sample> run(List<Matcher> matchers);
  }

  static List<Row> rates(MetricsBackend b, String metric, List<String> namespaces, List<String> by, Duration w, Instant at) {
    return merged(namespaces, m -> b.sumRate(metric, m, w, by, at));
  }

  static List<Row> merged(List<String> namespaces, Query q) {
    var dest = new LinkedHashSet<Sample>();
    var src = new LinkedHashSet<Sample>();
    for (String ns : namespaces) {
      dest.addAll(q.run(List.of(Matcher.eq("reporter", "destination"), Matcher.eq("destination_workload_namespace", ns))));
      src.addAll(q.run(List.of(Matcher.eq("reporter", "source"), Matcher.eq("source_workload_namespace", ns))));
    }
    Set<String> reported = new HashSet<>();
    var out = new ArrayList<Row>();
    for (Sample s : dest) {
      reported.add(edgeKey(s));
      out.add(new Row(s, true));
    }
    for (Sample s : src) {
      if (!reported.contains(edgeKey(s))) {
        out.add(new Row(s, false));
      }
    }
    return out;
  }

  private static String edgeKey(Sample s) {
    return String.join("|", s.label("source_workload_namespace"), s.label("source_workload"),
        s.label("destination_service_namespace"), s.label("destination_service_name"), s.label("destination_workload"));
  }
}
