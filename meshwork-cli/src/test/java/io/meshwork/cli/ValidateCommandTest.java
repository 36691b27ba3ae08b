package io.meshwork.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ValidateCommandTest {
  static final String GOOD_VS = """
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata:
        name: reviews
      spec:
        hosts: [reviews]
        http:
        - route:
          - destination:
              host: reviews
              subset: v1
      """;

  static final String BAD_DR = """
      apiVersion: networking.istio.io/v1
      kind: DestinationRule
      metadata:
        name: ratings
        namespace: prod
      spec:
        host: ratings
        trafficPolicy:
          loadBalancer:
            warmup:
              duration: 300s
              minimumPercent: 150.0
      """;

  @TempDir Path dir;

  private Path write(String name, String content) throws Exception {
    var p = dir.resolve(name);
    Files.writeString(p, content);
    return p;
  }

  @Test
  void validDocumentsExitZeroWithOneOkLinePerDocument() throws Exception {
    var f = write("good.yaml", GOOD_VS + "---\n" + GOOD_VS.replace("name: reviews", "name: reviews-2"));
    var r = CliRunner.run("validate", "-f", f.toString());
    assertThat(r.exitCode()).isZero();
    assertThat(r.out().lines()).containsExactly(
        f + "#0 VirtualService/default/reviews: ok",
        f + "#1 VirtualService/default/reviews-2: ok");
  }

  @Test
  void anInvalidDocumentExitsOneAndNamesTheFieldPath() throws Exception {
    var f = write("mixed.yaml", GOOD_VS + "---\n" + BAD_DR);
    var r = CliRunner.run("validate", "-f", f.toString());
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.out()).contains(f + "#0 VirtualService/default/reviews: ok");
    assertThat(r.out()).contains(f + "#1 DestinationRule/prod/ratings: error: spec.trafficPolicy.loadBalancer.warmup.minimumPercent: Invalid value: 150");
  }

  @Test
  void brokenYamlIsReportedWithItsLine() throws Exception {
    var f = write("broken.yaml", GOOD_VS + "---\napiVersion: v1\nkind: Service\nmetadata:\n  name: [oops\n");
    var r = CliRunner.run("validate", "-f", f.toString());
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.out()).contains("#0 VirtualService/default/reviews: ok");
    assertThat(r.out()).containsPattern("#1 .*: error: YAML syntax error at line 1[5-7], column \\d+");
  }

  @Test
  void wrongTypesAndUnknownFieldsAreErrorsWithTheirPath() throws Exception {
    var f = write("types.yaml", GOOD_VS.replace("hosts: [reviews]", "hosts: reviews\n  hostz: [x]"));
    var r = CliRunner.run("validate", "-f", f.toString());
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.out()).contains("spec.hosts: Invalid value: \"string\": spec.hosts in body must be of type array");
    assertThat(r.out()).contains("spec.hostz: Unknown field");
  }

  @Test
  void unknownKindIsAnError() throws Exception {
    var f = write("unknown.yaml", "apiVersion: example.com/v1\nkind: Frobnicator\nmetadata:\n  name: x\n");
    var r = CliRunner.run("validate", "-f", f.toString());
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.out()).contains("kind: Invalid value: \"Frobnicator\": unknown kind");
  }

  @Test
  void anEmptyFileIsReportedNotIgnored() throws Exception {
    var f = write("empty.yaml", "# nothing here\n\n");
    var r = CliRunner.run("validate", "-f", f.toString());
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.out()).contains(f + ": error: contains no YAML or JSON documents");
  }

  @Test
  void binaryGarbageIsUnreadableInputExitTwo() throws Exception {
    var f = dir.resolve("garbage.yaml");
    Files.write(f, new byte[] {(byte) 0x89, 'P', 'N', 'G', 0, 1, 2, (byte) 0xff, (byte) 0xfe});
    var r = CliRunner.run("validate", "-f", f.toString());
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("garbage.yaml is not a text file");
    assertThat(r.err().lines()).hasSize(1);
  }

  @Test
  void aMissingFileIsExitTwoInOneSentence() {
    var r = CliRunner.run("validate", "-f", dir.resolve("nope.yaml").toString());
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err().strip()).endsWith("nope.yaml does not exist");
  }

  @Test
  void usageErrorsExitTwo() {
    assertThat(CliRunner.run("validate").exitCode()).isEqualTo(2);
    assertThat(CliRunner.run("validate", "--bogus").exitCode()).isEqualTo(2);
    assertThat(CliRunner.run("validate", "-f", "x", "-o", "xml").exitCode()).isEqualTo(2);
  }

  @Test
  void standardInputAndDirectoriesAreRead() throws Exception {
    Files.createDirectories(dir.resolve("sub/deeper"));
    write("sub/a.yaml", GOOD_VS);
    write("sub/deeper/b.yml", BAD_DR);
    write("sub/ignored.txt", "not config");
    var r = CliRunner.run("validate", "-f", dir.resolve("sub").toString());
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.out().lines()).hasSize(2);
    var stdin = CliRunner.runWithStdin(GOOD_VS, "validate", "-f", "-");
    assertThat(stdin.exitCode()).isZero();
    assertThat(stdin.out()).contains("-#0 VirtualService/default/reviews: ok");
  }

  @Test
  void jsonOutputHasOneObjectPerDocument() throws Exception {
    var f = write("mixed.yaml", GOOD_VS + "---\n" + BAD_DR);
    var r = CliRunner.run("validate", "-f", f.toString(), "-o", "json");
    assertThat(r.exitCode()).isEqualTo(1);
    var json = new ObjectMapper().readTree(r.out());
    assertThat(json.size()).isEqualTo(2);
    assertThat(json.get(0).get("valid").booleanValue()).isTrue();
    assertThat(json.get(0).get("kind").textValue()).isEqualTo("VirtualService");
    assertThat(json.get(0).get("namespace").textValue()).isEqualTo("default");
    assertThat(json.get(1).get("valid").booleanValue()).isFalse();
    assertThat(json.get(1).get("index").intValue()).isEqualTo(1);
    assertThat(json.get(1).get("file").textValue()).isEqualTo(f.toString());
    assertThat(json.get(1).get("errors").get(0).textValue()).startsWith("spec.trafficPolicy.loadBalancer.warmup.minimumPercent");
  }

  @Test
  void versionAndHelpWork() {
    var v = CliRunner.run("--version");
    assertThat(v.exitCode()).isZero();
    assertThat(v.out()).startsWith("meshwork ");
    var h = CliRunner.run("--help");
    assertThat(h.exitCode()).isZero();
    assertThat(h.out()).contains("validate");
  }
}
