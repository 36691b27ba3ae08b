package io.meshwork.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import io.meshwork.config.codec.ConfigLoader;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;

/**
 * {@code meshwork validate -f PATH ...}: one line per document ({@code file#index Kind/ns/name: ok},
 * or one line per error). Exit 0 when all are valid, 1 when some are not, 2 for usage errors and
 * unreadable input.
 */
@Command(
    name = "validate",
    description = {
      "Check Istio-compatible YAML/JSON documents against Meshwork's model and Istio's validation rules.",
      "Exit status: 0 all valid, 1 some invalid, 2 usage error or unreadable input."
    })
final class ValidateCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Mixin ConfigFileOptions options;

  @Override
  public Integer call() throws Exception {
    var output = options.textOrJson("validate");
    var results = ConfigInputs.read(options.files, System.in);
    var out = spec.commandLine().getOut();
    boolean allValid = true;
    ArrayNode json = ConfigLoader.JSON.createArrayNode();
    for (var file : results) {
      if (file.documents().isEmpty()) {
        allValid = false;
        if (output == OutputFormat.json) {
          var o = json.addObject();
          o.put("file", file.file());
          o.putNull("index");
          o.putNull("kind");
          o.putNull("name");
          o.putNull("namespace");
          o.put("valid", false);
          o.putArray("errors").add("contains no YAML or JSON documents");
          o.putArray("warnings");
        } else {
          out.println(file.file() + ": error: contains no YAML or JSON documents");
        }
        continue;
      }
      for (var d : file.documents()) {
        allValid &= d.valid();
        if (output == OutputFormat.json) {
          var o = json.addObject();
          o.put("file", d.source().source());
          o.put("index", d.source().index());
          o.put("kind", d.kind());
          o.put("name", d.name());
          o.put("namespace", d.namespace());
          o.put("valid", d.valid());
          var errs = o.putArray("errors");
          d.errors().forEach(errs::add);
          var warns = o.putArray("warnings");
          d.warnings().forEach(warns::add);
        } else {
          var prefix = d.source().label() + " " + d.title() + ": ";
          if (d.valid()) {
            out.println(prefix + "ok");
          }
          for (var e : d.errors()) {
            out.println(prefix + "error: " + e);
          }
          for (var w : d.warnings()) {
            out.println(prefix + "warning: " + w);
          }
        }
      }
    }
    if (output == OutputFormat.json) {
      out.println(ConfigLoader.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(json));
    }
    out.flush();
    return allValid ? 0 : 1;
  }
}
