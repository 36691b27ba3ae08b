package io.meshwork.kubernetes.install;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * There is no container engine here, so the images are checked through their Dockerfiles: one per
 * image the manifests and the injector reference, each copying only what exists in the repository
 * or what the CLI build produces, running the jar it copies, as the uid the capture rules exclude.
 */
class DockerfilesTest {
  static final Path ROOT = Path.of("..");

  /** One Dockerfile instruction (continuation lines joined). */
  record Instruction(String keyword, String args) {}

  static List<Instruction> parse(Path file) throws IOException {
    var out = new ArrayList<Instruction>();
    var current = new StringBuilder();
    for (var line : Files.readAllLines(file)) {
      var t = line.strip();
      if (current.isEmpty() && (t.isEmpty() || t.startsWith("#"))) {
        continue;
      }
      if (t.endsWith("\\")) {
        current.append(t, 0, t.length() - 1).append(' ');
        continue;
      }
      current.append(t);
      var s = current.toString().strip();
      int sp = s.indexOf(' ');
      out.add(new Instruction(s.substring(0, sp).toUpperCase(java.util.Locale.ROOT), s.substring(sp + 1).strip()));
      current.setLength(0);
    }
    return out;
  }

  static TreeSet<String> referencedImages() {
    var o = InstallOptions.defaults();
    var images = new TreeSet<String>();
    for (var obj : Manifests.render(o)) {
      if (obj instanceof Deployment d) {
        d.getSpec().getTemplate().getSpec().getContainers().forEach(c -> images.add(c.getImage()));
      }
    }
    images.add(o.proxyImage()); // what the injector adds
    var names = new TreeSet<String>();
    for (var i : images) {
      assertThat(i).startsWith(o.hub() + "/").endsWith(":" + o.tag());
      names.add(i.substring(o.hub().length() + 1, i.lastIndexOf(':')));
    }
    return names;
  }

  @Test
  void everyReferencedImageHasAWellFormedDockerfile() throws Exception {
    var names = referencedImages();
    assertThat(names).containsExactly("meshwork-console", "meshwork-control", "meshwork-proxy");
    var cliPom = Files.readString(ROOT.resolve("meshwork-cli/pom.xml"));
    for (var name : names) {
      var file = ROOT.resolve("deploy/docker").resolve(name).resolve("Dockerfile");
      assertThat(file).as(name).exists();
      var ins = parse(file);
      assertThat(ins.getFirst().keyword()).isEqualTo("FROM");
      assertThat(ins.getFirst().args()).as("base image pinned by tag").matches("[^:\\s]+:[^\\s]+").doesNotEndWith(":latest");
      assertThat(ins).anyMatch(i -> i.keyword().equals("LABEL") && i.args().contains("\"" + name + "\""));
      var destinations = new ArrayList<String>();
      for (var i : ins.stream().filter(i -> i.keyword().equals("COPY") || i.keyword().equals("ADD")).toList()) {
        var parts = i.args().split("\\s+");
        assertThat(parts[0]).as("no multi-stage or remote sources").doesNotStartWith("--").doesNotStartWith("http");
        destinations.add(parts[parts.length - 1]);
        for (int k = 0; k < parts.length - 1; k++) {
          var src = parts[k];
          if (src.startsWith("meshwork-cli/target/")) {
            // Produced by the CLI build: the jar's final name and the copied runtime libraries.
            if (src.endsWith(".jar")) {
              assertThat(cliPom).contains("<finalName>" + src.substring("meshwork-cli/target/".length(), src.length() - 4) + "</finalName>");
            } else {
              assertThat(cliPom).contains("<outputDirectory>${project.build.directory}/" + src.substring("meshwork-cli/target/".length())
                  .replaceAll("/$", "") + "</outputDirectory>");
            }
          } else {
            assertThat(ROOT.resolve(src)).as(name + ": COPY " + src).exists();
          }
        }
      }
      var entry = ins.stream().filter(i -> i.keyword().equals("ENTRYPOINT")).findFirst().orElseThrow();
      assertThat(entry.args()).startsWith("[").contains("\"-jar\"");
      var jar = entry.args().replaceAll(".*\"-jar\", \"([^\"]+)\".*", "$1");
      assertThat(destinations).as("the ENTRYPOINT's jar is copied in").contains(jar);
      assertThat(ins).anyMatch(i -> i.keyword().equals("USER") && i.args().equals("1337:1337"));
    }
  }

  @Test
  void theProxyImageCanInstallCaptureRules() throws Exception {
    var run = parse(ROOT.resolve("deploy/docker/meshwork-proxy/Dockerfile")).stream().filter(i -> i.keyword().equals("RUN"))
        .map(Instruction::args).toList();
    assertThat(String.join(" ", run)).contains("iptables", "iproute2");
  }
}
