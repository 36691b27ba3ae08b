package io.meshwork.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code meshwork delete -f PATH | KIND NAME}: deletes resources from the control plane; exit 1 if some were not found. */
@Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete resources from the control plane.")
public final class DeleteCommand implements Callable<Integer> {
  @Option(names = {"-f", "--filename"}, description = "File or directory naming the resources to delete; repeatable.")
  List<String> files;

  @Parameters(arity = "0..2", paramLabel = "KIND NAME")
  List<String> target;

  @Option(names = {"-n", "--namespace"}, description = "Namespace (default: default).")
  String namespace;

  @Option(names = "--control-plane", defaultValue = ControlPlaneClient.DEFAULT, description = "Control plane REST address (default ${DEFAULT-VALUE}).")
  String controlPlane;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    var out = spec.commandLine().getOut();
    var client = new ControlPlaneClient(controlPlane);
    if (files != null && !files.isEmpty()) {
      if (target != null && !target.isEmpty()) {
        throw new UserException(2, "give either -f PATH or KIND NAME, not both");
      }
      var texts = new ArrayList<String>();
      for (var f : files) {
        var p = Path.of(f);
        if (!Files.exists(p)) {
          throw new UserException(2, f + " does not exist");
        }
        try (Stream<Path> s = Files.walk(p)) {
          for (var file : s.filter(Files::isRegularFile).filter(x -> x.toString().matches(".*\\.(ya?ml|json)$") || x.equals(p)).sorted().toList()) {
            texts.add(Files.readString(file));
          }
        }
      }
      var a = client.send("POST", "/apis/meshwork.io/v1/delete" + (namespace == null ? "" : "?namespace=" + namespace),
          String.join("\n---\n", texts));
      for (var e : a.body().path("errors")) {
        out.println("error: " + e.asText());
      }
      boolean missing = a.status() >= 400;
      for (var r : a.body().path("results")) {
        var action = r.path("action").asText();
        missing |= action.equals("not found");
        out.println(ApplyCommand.title(r) + " " + action);
      }
      return missing ? 1 : 0;
    }
    if (target == null || target.size() != 2) {
      throw new UserException(2, "name what to delete: 'meshwork delete -f FILE' or 'meshwork delete KIND NAME'");
    }
    var k = GetCommand.kind(target.get(0));
    var a = client.send("DELETE", GetCommand.collection(k, namespace == null ? "default" : namespace) + "/" + target.get(1), null);
    if (a.status() >= 400) {
      throw new UserException(1, a.message());
    }
    out.println(k.kind().toLowerCase(java.util.Locale.ROOT) + (k.group().isEmpty() ? "" : "." + k.group()) + "/" + target.get(1) + " deleted");
    return 0;
  }
}
