package io.meshwork.cli;

import io.meshwork.config.codec.ConfigLoader;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code meshwork proxy-status}: each connected proxy's sync state per xDS type, and the last NACK of each, like istioctl. */
@Command(name = "proxy-status", mixinStandardHelpOptions = true, description = "Show each connected proxy's xDS sync state.")
public final class ProxyStatusCommand implements Callable<Integer> {
  @Option(names = "--control-plane", defaultValue = ControlPlaneClient.DEFAULT, description = "Control plane REST address (default ${DEFAULT-VALUE}).")
  String controlPlane;

  @Option(names = {"-o", "--output"}, defaultValue = "text", description = "text (table) or json.")
  OutputFormat output;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    var body = new ControlPlaneClient(controlPlane).require("/debug/proxies");
    var out = spec.commandLine().getOut();
    if (output != OutputFormat.text) {
      out.println(ConfigLoader.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(body));
      return 0;
    }
    if (body.isEmpty()) {
      out.println("No proxies are connected.");
      return 0;
    }
    var rows = new ArrayList<List<String>>();
    rows.add(List.of("NAME", "TYPE", "STREAM", "CDS", "LDS", "EDS", "RDS"));
    var nacks = new ArrayList<String>();
    for (var p : body) {
      var t = p.path("types");
      rows.add(List.of(p.path("id").asText(), p.path("type").asText(), p.path("stream").asText(), t.path("CDS").path("status").asText("NOT SENT"),
          t.path("LDS").path("status").asText("NOT SENT"), t.path("EDS").path("status").asText("NOT SENT"),
          t.path("RDS").path("status").asText("NOT SENT")));
      t.fields().forEachRemaining(e -> {
        var err = e.getValue().path("lastNack").asText("");
        if (!err.isEmpty()) {
          nacks.add(p.path("id").asText() + " rejected " + e.getKey() + ": " + err);
        }
      });
    }
    Tables.print(out, rows);
    nacks.forEach(out::println);
    return 0;
  }
}
