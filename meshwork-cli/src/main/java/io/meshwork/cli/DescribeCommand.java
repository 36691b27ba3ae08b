package io.meshwork.cli;

import io.meshwork.config.codec.ConfigLoader;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code meshwork describe service NAME}: which VirtualService and DestinationRule apply, subsets and their endpoints. */
@Command(name = "describe", mixinStandardHelpOptions = true, description = "Explain how the mesh routes to a service.")
public final class DescribeCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "KIND", description = "service (svc)")
  String kind;

  @Parameters(index = "1", paramLabel = "NAME")
  String name;

  @Option(names = {"-n", "--namespace"}, defaultValue = "default", description = "Namespace (default ${DEFAULT-VALUE}).")
  String namespace;

  @Option(names = {"-o", "--output"}, defaultValue = "text", description = "text or json.")
  OutputFormat output;

  @Option(names = "--control-plane", defaultValue = ControlPlaneClient.DEFAULT, description = "Control plane REST address (default ${DEFAULT-VALUE}).")
  String controlPlane;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    if (!kind.equals("service") && !kind.equals("svc")) {
      throw new UserException(2, "describe knows 'service NAME' only");
    }
    var d = new ControlPlaneClient(controlPlane).require("/debug/describe?service=" + URLEncoder.encode(name, StandardCharsets.UTF_8)
        + "&namespace=" + URLEncoder.encode(namespace, StandardCharsets.UTF_8));
    var out = spec.commandLine().getOut();
    if (output != OutputFormat.text) {
      out.println(ConfigLoader.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(d));
      return 0;
    }
    out.println("Service: " + d.path("host").asText() + " (" + d.path("source").asText() + ")");
    out.println("VirtualService: " + (d.path("virtualService").isNull() ? "none (default route)" : d.path("virtualService").asText()));
    out.println("DestinationRule: " + (d.path("destinationRule").isNull() ? "none" : d.path("destinationRule").asText()));
    for (var p : d.path("ports")) {
      out.println("Port: " + p.path("name").asText() + " " + p.path("port").asText() + "/" + p.path("protocol").asText());
      for (var s : p.path("subsets")) {
        var label = s.path("subset").asText().isEmpty() ? "(all)" : s.path("subset").asText() + " " + s.path("labels");
        out.println("  Subset " + label + " -> " + s.path("cluster").asText());
        if (s.path("endpoints").isEmpty()) {
          out.println("    no endpoints");
        }
        for (var e : s.path("endpoints")) {
          out.println("    " + e.path("address").asText() + " " + e.path("health").asText() + " (" + e.path("workload").asText() + ")");
        }
      }
    }
    return 0;
  }
}
