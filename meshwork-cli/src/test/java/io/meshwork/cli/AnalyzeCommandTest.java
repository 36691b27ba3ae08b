package io.meshwork.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AnalyzeCommandTest {
  static final String SERVICE = """
      apiVersion: v1
      kind: Service
      metadata: {name: reviews}
      spec:
        selector: {app: reviews}
        ports: [{name: http, port: 9080}]
      """;

  @TempDir Path dir;

  @Test
  void noErrorFindingExitsZero() throws Exception {
    var f = dir.resolve("ok.yaml");
    Files.writeString(f, SERVICE + "---\n" + ValidateCommandTest.GOOD_VS.replaceAll("\\n\\s*subset: v1", ""));
    var r = CliRunner.run("analyze", "-f", f.toString());
    assertThat(r.exitCode()).isZero();
    assertThat(r.out()).contains("2 documents analyzed: 0 errors");
  }

  @Test
  void anErrorFindingExitsOneAndJsonHasTheDocumentedFields() throws Exception {
    var f = dir.resolve("bad.yaml");
    Files.writeString(f, SERVICE + "---\n" + ValidateCommandTest.GOOD_VS);
    var r = CliRunner.run("analyze", "-f", f.toString());
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.out()).contains("error [MW0102 SubsetNotFound] VirtualService/default/reviews spec.http[0].route[0].destination.subset");
    var json = CliRunner.run("analyze", "-f", f.toString(), "-o", "json");
    assertThat(json.exitCode()).isEqualTo(1);
    var finding = new ObjectMapper().readTree(json.out()).get(0);
    assertThat(finding.get("code").textValue()).isEqualTo("MW0102");
    assertThat(finding.get("severity").textValue()).isEqualTo("error");
    assertThat(finding.get("kind").textValue()).isEqualTo("VirtualService");
    assertThat(finding.get("namespace").textValue()).isEqualTo("default");
    assertThat(finding.get("name").textValue()).isEqualTo("reviews");
    assertThat(finding.get("path").textValue()).isEqualTo("spec.http[0].route[0].destination.subset");
    assertThat(finding.get("message").textValue()).contains("subset v1");
  }

  @Test
  void invalidDocumentsAreErrorFindingsAndBadInputIsExitTwo() throws Exception {
    var f = dir.resolve("invalid.yaml");
    Files.writeString(f, ValidateCommandTest.BAD_DR);
    var r = CliRunner.run("analyze", "-f", f.toString());
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.out()).contains("[MW0001 SchemaValidationError]");
    assertThat(CliRunner.run("analyze").exitCode()).isEqualTo(2);
    assertThat(CliRunner.run("analyze", "-f", dir.resolve("missing.yaml").toString()).exitCode()).isEqualTo(2);
  }
}
