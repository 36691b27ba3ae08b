package io.meshwork.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshwork.config.Kinds;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code meshwork apply -f PATH}: validates locally (errors name the file), then sends every
 * document in one atomic batch; prints {@code kind.group/name created|configured|unchanged} like kubectl.
 */
@Command(name = "apply", mixinStandardHelpOptions = true, description = "Create or update resources in the control plane, all or nothing.")
public final class ApplyCommand implements Callable<Integer> {
  @Option(names = {"-f", "--filename"}, required = true, description = "File, directory (recursive) or - for standard input; repeatable.")
  List<String> files;

  @Option(names = {"-n", "--namespace"}, description = "Namespace for documents that name none (default: default).")
  String namespace;

  @Option(names = "--control-plane", defaultValue = ControlPlaneClient.DEFAULT, description = "Control plane REST address (default ${DEFAULT-VALUE}).")
  String controlPlane;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws IOException {
    var out = spec.commandLine().getOut();
    var texts = texts();
    boolean bad = false;
    var loader = io.meshwork.config.codec.ConfigLoader.create();
    for (var t : texts) {
      for (var d : loader.loadText(t.source(), t.text())) {
        for (var e : d.errors()) {
          out.println(d.source().label() + " " + d.title() + ": error: " + e);
          bad = true;
        }
      }
    }
    if (bad) {
      out.println("nothing was applied");
      return 1;
    }
    var body = String.join("\n---\n", texts.stream().map(Text::text).toList());
    var path = "/apis/meshwork.io/v1/apply" + (namespace == null ? "" : "?namespace=" + namespace);
    var answer = new ControlPlaneClient(controlPlane).send("POST", path, body);
    if (answer.status() >= 400 && !answer.body().has("results")) {
      throw new UserException(1, answer.message());
    }
    for (var e : answer.body().path("errors")) {
      out.println("error: " + e.asText());
    }
    for (var r : answer.body().path("results")) {
      out.println(title(r) + " " + r.path("action").asText());
    }
    return answer.status() >= 400 ? 1 : 0;
  }

  static String title(JsonNode r) {
    var kind = Kinds.all().stream().filter(k -> k.kind().equals(r.path("kind").asText())).findFirst().orElse(null);
    var k = r.path("kind").asText().toLowerCase(Locale.ROOT);
    var g = kind == null || kind.group().isEmpty() ? "" : "." + kind.group();
    return k + g + "/" + r.path("name").asText();
  }

  /** One input's text. */
  record Text(String source, String text) {}

  private List<Text> texts() throws IOException {
    var out = new ArrayList<Text>();
    for (var f : files) {
      if (f.equals("-")) {
        out.add(new Text("-", io.meshwork.config.codec.ConfigLoader.decode("standard input", System.in.readAllBytes())));
        continue;
      }
      var p = Path.of(f);
      if (!Files.exists(p)) {
        throw new UserException(2, f + " does not exist");
      }
      if (Files.isDirectory(p)) {
        try (Stream<Path> s = Files.walk(p)) {
          for (var file : s.filter(Files::isRegularFile).filter(ApplyCommand::isConfig).sorted().toList()) {
            out.add(new Text(file.toString(), read(file)));
          }
        }
      } else {
        out.add(new Text(f, read(p)));
      }
    }
    return out;
  }

  private static String read(Path p) throws IOException {
    try {
      return io.meshwork.config.codec.ConfigLoader.readText(p);
    } catch (io.meshwork.config.codec.UnreadableInputException e) {
      throw new UserException(2, e.getMessage());
    }
  }

  private static boolean isConfig(Path p) {
    var n = p.getFileName().toString();
    return n.endsWith(".yaml") || n.endsWith(".yml") || n.endsWith(".json");
  }
}
