package io.meshwork.config.analysis;

import io.meshwork.config.Resource;
import io.meshwork.config.ResourceKey;
import io.meshwork.config.codec.LoadedDocument;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * Runs validation findings and every analyzer over a set of documents taken together. Documents
 * are applied in order, as {@code kubectl apply} would: a later document with the same kind,
 * namespace and name replaces an earlier one (an info finding says so).
 */
public final class Analysis {
  private static final List<Analyzer> ANALYZERS = List.of(
      new DestinationAnalyzer(),
      new ConflictAnalyzer(),
      new RouteOrderAnalyzer(),
      new MtlsAnalyzer(),
      new AuthorizationAnalyzer(),
      new PortNameAnalyzer(),
      new SelectorAnalyzer());

  private Analysis() {}

  /** Findings for loaded documents: their validation errors and warnings, then the analyzers' findings over the valid ones. */
  public static List<Finding> run(List<LoadedDocument> documents) {
    var findings = new Findings();
    var live = new LinkedHashMap<ResourceKey, LoadedDocument>();
    var replaced = new ArrayList<Resource>();
    for (var d : documents) {
      if (!d.valid()) {
        var key = new ResourceKey("", d.kind() == null ? "?" : d.kind(), d.namespace() == null ? "" : d.namespace(), d.name() == null ? "?" : d.name());
        for (var e : d.errors()) {
          findings.list().add(new Finding(Code.SCHEMA_VALIDATION_ERROR, Severity.ERROR, key, pathOf(e), d.source().label() + ": " + e));
        }
        continue;
      }
      var r = d.resource();
      for (var w : d.warnings()) {
        var code = r.kind().supported() ? Code.VALIDATION_WARNING : Code.UNSUPPORTED_KIND;
        findings.add(code, r, "", d.source().label() + ": " + w);
      }
      var earlier = live.put(r.key(), d);
      if (earlier != null) {
        replaced.add(earlier.resource());
        findings.add(Code.RESOURCE_REPLACED, earlier.resource(), "",
            earlier.source().label() + " is replaced by " + d.source().label() + " (same kind, namespace and name; the later one applies)");
      }
    }
    var resources = new ArrayList<Resource>();
    live.values().forEach(d -> resources.add(d.resource()));
    findings.list().addAll(analyze(new MeshIndex(resources, replaced)));
    var out = new ArrayList<>(findings.list());
    out.sort(Comparator.comparing(Finding::severity).thenComparing(f -> f.resource().toString()).thenComparing(Finding::path));
    return out;
  }

  /** The analyzers' findings over valid resources. */
  public static List<Finding> analyze(List<Resource> resources) {
    return analyze(new MeshIndex(resources));
  }

  private static List<Finding> analyze(MeshIndex index) {
    var findings = new Findings();
    for (var a : ANALYZERS) {
      a.analyze(index, findings);
    }
    return findings.list();
  }

  /** The field path at the start of a validation error ({@code spec.hosts: Required value}), or empty. */
  static String pathOf(String error) {
    int colon = error.indexOf(": ");
    if (colon <= 0) {
      return "";
    }
    var head = error.substring(0, colon);
    return head.contains(" ") ? "" : head;
  }
}
