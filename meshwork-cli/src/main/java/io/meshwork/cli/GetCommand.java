package io.meshwork.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshwork.config.Kind;
import io.meshwork.config.Kinds;
import io.meshwork.config.codec.ConfigLoader;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code meshwork get KIND [NAME] [-n NS | -A] [-o yaml|json]}: reads resources from the control plane, like kubectl get. */
@Command(name = "get", mixinStandardHelpOptions = true, description = "Show resources held by the control plane.")
public final class GetCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "KIND", description = "Kind, plural or short name: vs, dr, se, we, gw, svc, ...")
  String kindName;

  @Parameters(index = "1", arity = "0..1", paramLabel = "NAME")
  String name;

  @Option(names = {"-n", "--namespace"}, defaultValue = "default", description = "Namespace (default ${DEFAULT-VALUE}).")
  String namespace;

  @Option(names = {"-A", "--all-namespaces"}, description = "List across all namespaces.")
  boolean all;

  @Option(names = {"-o", "--output"}, defaultValue = "text", description = "text (table), yaml or json.")
  OutputFormat output;

  @Option(names = "--control-plane", defaultValue = ControlPlaneClient.DEFAULT, description = "Control plane REST address (default ${DEFAULT-VALUE}).")
  String controlPlane;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  static Kind kind(String name) {
    var k = Kinds.byUserName(name);
    if (k == null) {
      throw new UserException(2, "unknown kind \"" + name + "\"; Meshwork knows " + Kinds.supportedNames());
    }
    return k;
  }

  static String collection(Kind k, String ns) {
    var prefix = k.group().isEmpty() ? "/api/v1" : "/apis/" + k.group() + "/" + k.versions().getFirst();
    return prefix + (k.namespaced() && ns != null ? "/namespaces/" + ns : "") + "/" + k.plural();
  }

  @Override
  public Integer call() throws Exception {
    if (kindName.equalsIgnoreCase("proxystatus") || kindName.equalsIgnoreCase("proxy-status")) {
      var ps = new ProxyStatusCommand();
      ps.controlPlane = controlPlane;
      ps.output = output == OutputFormat.yaml ? OutputFormat.json : output;
      ps.spec = spec;
      return ps.call();
    }
    var k = kind(kindName);
    var path = collection(k, all && name == null ? null : namespace) + (name == null ? "" : "/" + name);
    var body = new ControlPlaneClient(controlPlane).require(path);
    var out = spec.commandLine().getOut();
    switch (output) {
      case json -> out.println(ConfigLoader.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(body));
      case yaml -> out.print(ConfigLoader.YAML.writeValueAsString(body));
      case text -> {
        List<JsonNode> items = new ArrayList<>();
        if (name != null) {
          items.add(body);
        } else {
          body.path("items").forEach(items::add);
        }
        if (items.isEmpty()) {
          out.println("No resources found" + (all ? "" : " in " + namespace + " namespace") + ".");
          return 0;
        }
        var rows = new ArrayList<List<String>>();
        rows.add(all ? List.of("NAMESPACE", "NAME", "RESOURCE VERSION") : List.of("NAME", "RESOURCE VERSION"));
        for (var i : items) {
          var md = i.path("metadata");
          var rv = md.path("resourceVersion").asText();
          rows.add(all ? List.of(md.path("namespace").asText("default"), md.path("name").asText(), rv) : List.of(md.path("name").asText(), rv));
        }
        Tables.print(out, rows);
      }
    }
    return 0;
  }
}
