package io.meshwork.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The YAML users edit and re-apply (issue 8: samples/voting-app/mesh, "ready-made canary steps
 * (v2 at 10/50/100%), a fault-injection example"): each step, applied on top of what the demo
 * applies and the voting app's Kubernetes Services, analyzes with no error, and each canary step
 * splits both the gateway's vote route and the mesh-internal vote route at the percentage its name
 * promises. DetachedDemoTest applies the 100% step to a running demo; this checks the others too.
 */
class VotingAppMeshYamlTest {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final List<String> BASE = List.of("gateway.yaml", "destination-rules.yaml", "peer-authentication.yaml",
      "redis-authorization.yaml");

  @Test
  void everyStepAnalyzesCleanWithTheAppsServices() {
    Path mesh = DetachedDemoTest.meshDir();
    Path services = mesh.resolveSibling("kubernetes").resolve("voting-app.yaml");
    for (String step : List.of("vote-canary-10.yaml", "vote-canary-50.yaml", "vote-canary-100.yaml", "fault-injection.yaml")) {
      var args = new ArrayList<String>(List.of("analyze"));
      for (String f : BASE) {
        args.add("-f");
        args.add(mesh.resolve(f).toString());
      }
      args.addAll(List.of("-f", mesh.resolve(step).toString(), "-f", services.toString()));
      var r = CliRunner.run(args.toArray(String[]::new));
      assertThat(r.exitCode()).as(step + ": " + r.out() + r.err()).isNotEqualTo(2);
      assertThat(r.out()).as(step).contains(" 0 errors");
    }
  }

  @Test
  void canaryStepsSplitAtTheirPercentage() throws Exception {
    Path mesh = DetachedDemoTest.meshDir();
    for (int pct : new int[] {10, 50, 100}) {
      var docs = new ArrayList<JsonNode>();
      try (var parser = YAML.createParser(Files.readString(mesh.resolve("vote-canary-" + pct + ".yaml")))) {
        YAML.readValues(parser, JsonNode.class).forEachRemaining(docs::add);
      }
      assertThat(docs).extracting(d -> d.path("metadata").path("name").asText()).containsExactlyInAnyOrder("voting-gateway", "vote");
      for (JsonNode vs : docs) {
        int v1 = 0;
        int v2 = 0;
        for (JsonNode http : vs.path("spec").path("http")) {
          for (JsonNode route : http.path("route")) {
            if (!route.path("destination").path("host").asText().equals("vote")) {
              continue;
            }
            int weight = route.has("weight") ? route.path("weight").asInt() : 100;
            switch (route.path("destination").path("subset").asText()) {
              case "v1" -> v1 += weight;
              case "v2" -> v2 += weight;
              default -> throw new AssertionError("a vote route without subset v1/v2 in vote-canary-" + pct + ".yaml");
            }
          }
        }
        assertThat(v2).as("v2's weight in %s of vote-canary-%d.yaml", vs.path("metadata").path("name").asText(), pct).isEqualTo(pct);
        assertThat(v1).as("v1's weight in %s of vote-canary-%d.yaml", vs.path("metadata").path("name").asText(), pct).isEqualTo(100 - pct);
      }
    }
  }
}
