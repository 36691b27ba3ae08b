package io.meshwork.kubernetes.inject;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshwork.config.codec.ConfigLoader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.UUID;

/** AdmissionReview requests as the API server sends them, and an independent JSON Patch applier. */
public final class Admission {
  private Admission() {}

  private static final tools.jackson.databind.ObjectMapper JACKSON3 = new tools.jackson.databind.ObjectMapper();

  public static ObjectNode pod(String resource) {
    try (var in = Admission.class.getResourceAsStream("/pods/" + resource)) {
      return (ObjectNode) ConfigLoader.JSON.readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static ObjectNode review(JsonNode object, String namespace, String group, String version, String kind, String resource,
      String operation) {
    var review = ConfigLoader.JSON.createObjectNode();
    review.put("apiVersion", "admission.k8s.io/v1");
    review.put("kind", "AdmissionReview");
    var r = review.putObject("request");
    r.put("uid", UUID.randomUUID().toString());
    r.putObject("kind").put("group", group).put("version", version).put("kind", kind);
    r.putObject("resource").put("group", group).put("version", version).put("resource", resource);
    r.put("namespace", namespace);
    r.put("operation", operation);
    r.putObject("userInfo").put("username", "system:serviceaccount:kube-system:replicaset-controller");
    r.set("object", object);
    r.putNull("oldObject");
    r.put("dryRun", false);
    return review;
  }

  public static ObjectNode podReview(JsonNode pod, String namespace) {
    return review(pod, namespace, "", "v1", "Pod", "pods", "CREATE");
  }

  /** Applies the response's patch to {@code object} with fabric8's zjsonpatch (not our code). */
  public static ObjectNode applyPatch(JsonNode object, JsonNode reviewResponse) {
    var response = reviewResponse.path("response");
    if (!response.has("patch")) {
      return (ObjectNode) object.deepCopy();
    }
    if (!"JSONPatch".equals(response.path("patchType").asText())) {
      throw new AssertionError("patchType must be JSONPatch: " + response);
    }
    var patch = new String(Base64.getDecoder().decode(response.path("patch").asText()), StandardCharsets.UTF_8);
    var result = io.fabric8.zjsonpatch.JsonPatch.apply(JACKSON3.readTree(patch), JACKSON3.readTree(object.toString()));
    try {
      return (ObjectNode) ConfigLoader.JSON.readTree(JACKSON3.writeValueAsString(result));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
