package io.meshwork.cli;

import io.meshwork.config.analysis.Analysis;
import io.meshwork.config.analysis.Severity;
import io.meshwork.config.codec.ConfigLoader;
import io.meshwork.config.codec.LoadedDocument;
import java.util.ArrayList;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;

/**
 * {@code meshwork analyze -f PATH ...}: validation, then cross-resource analysis of all inputs taken
 * together (later documents replace earlier ones of the same kind, namespace and name). Exit 0 when
 * no finding is an error, 1 otherwise, 2 for usage errors and unreadable input.
 */
@Command(
    name = "analyze",
    description = {
      "Validate, then analyze all inputs together for cross-resource problems (like istioctl analyze).",
      "Exit status: 0 no error-level finding, 1 some error-level finding, 2 usage error or unreadable input."
    })
final class AnalyzeCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Mixin ConfigFileOptions options;

  @Override
  public Integer call() throws Exception {
    var output = options.textOrJson("analyze");
    var documents = new ArrayList<LoadedDocument>();
    for (var file : ConfigInputs.read(options.files, System.in)) {
      documents.addAll(file.documents());
    }
    var findings = Analysis.run(documents);
    var out = spec.commandLine().getOut();
    if (output == OutputFormat.json) {
      var json = ConfigLoader.JSON.createArrayNode();
      for (var f : findings) {
        var o = json.addObject();
        o.put("code", f.code().id());
        o.put("title", f.code().title());
        o.put("severity", f.severity().label());
        o.put("kind", f.resource().kind());
        o.put("namespace", f.resource().namespace());
        o.put("name", f.resource().name());
        o.put("path", f.path());
        o.put("message", f.message());
      }
      out.println(ConfigLoader.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(json));
    } else {
      for (var f : findings) {
        out.println(f);
      }
      long errors = findings.stream().filter(f -> f.severity() == Severity.ERROR).count();
      long warnings = findings.stream().filter(f -> f.severity() == Severity.WARNING).count();
      long infos = findings.size() - errors - warnings;
      out.println(documents.size() + " documents analyzed: " + errors + " errors, " + warnings + " warnings, " + infos + " info");
    }
    out.flush();
    return findings.stream().anyMatch(f -> f.severity() == Severity.ERROR) ? 1 : 0;
  }
}
