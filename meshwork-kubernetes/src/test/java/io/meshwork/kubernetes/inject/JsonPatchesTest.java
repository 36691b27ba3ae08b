package io.meshwork.kubernetes.inject;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshwork.config.codec.ConfigLoader;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/** The diff is checked the only way that matters: an independent RFC 6902 applier turns the source into the target. */
class JsonPatchesTest {
  static JsonNode json(String s) throws Exception {
    return ConfigLoader.JSON.readTree(s);
  }

  static void roundTrip(String source, String target) throws Exception {
    var a = json(source);
    var b = json(target);
    var patch = JsonPatches.diff(a, b);
    var response = ConfigLoader.JSON.createObjectNode();
    response.putObject("response").put("patchType", "JSONPatch")
        .put("patch", Base64.getEncoder().encodeToString(patch.toString().getBytes(StandardCharsets.UTF_8)));
    assertThat(Admission.applyPatch(a, response)).as(patch.toString()).isEqualTo(b);
  }

  @Test
  void membersAreAddedRemovedAndReplaced() throws Exception {
    roundTrip("""
        {"metadata": {"name": "p", "labels": {"a": "1", "gone": "x"}}, "spec": {"n": 1}}""", """
        {"metadata": {"name": "p", "labels": {"a": "2", "new": "y"}}, "spec": {"n": 1, "m": [1, 2]}}""");
  }

  @Test
  void keysWithSlashAndTildeAreEscaped() throws Exception {
    roundTrip("""
        {"metadata": {"annotations": {"a~b/c": "1"}}}""", """
        {"metadata": {"annotations": {"a~b/c": "2", "sidecar.istio.io/status": "{}"}}}""");
    var ops = JsonPatches.diff(json("{\"a\":{}}"), json("{\"a\":{\"x/y~z\":1}}"));
    assertThat(ops.get(0).path("path").asText()).isEqualTo("/a/x~1y~0z");
  }

  @Test
  void arraysOfTheSameLengthArePatchedInPlaceOthersReplaced() throws Exception {
    roundTrip("""
        {"c": [{"name": "a", "image": "1"}, {"name": "b"}]}""", """
        {"c": [{"name": "a", "image": "2"}, {"name": "b"}]}""");
    assertThat(JsonPatches.diff(json("{\"c\":[{\"i\":1},{\"i\":2}]}"), json("{\"c\":[{\"i\":1},{\"i\":3}]}")).get(0).path("path").asText())
        .isEqualTo("/c/1/i");
    roundTrip("""
        {"c": [{"name": "app"}]}""", """
        {"c": [{"name": "proxy"}, {"name": "app"}]}""");
  }

  @Test
  void equalDocumentsGiveAnEmptyPatch() throws Exception {
    assertThat(JsonPatches.diff(json("{\"a\":[1,{\"b\":null}]}"), json("{\"a\":[1,{\"b\":null}]}"))).isEmpty();
  }
}
