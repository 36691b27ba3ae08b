package io.meshwork.kubernetes.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshwork.config.codec.ConfigLoader;
import io.meshwork.config.codec.SourceDocument;
import io.meshwork.kubernetes.inject.InjectionPolicy;
import io.meshwork.kubernetes.inject.JsonPatches;
import io.meshwork.kubernetes.inject.SidecarInjector;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.function.Function;
import java.util.logging.Logger;

/**
 * AdmissionReview v1 in, AdmissionReview v1 out. Injection never blocks a pod for a reason of
 * policy (a pod that is not to be injected is allowed unchanged); it refuses only a pod it cannot
 * inject correctly (a probe naming a port the container lacks), with one sentence saying why.
 * Validation refuses an invalid Istio resource with every field error, and passes warnings
 * (unsupported kinds) back for kubectl to print.
 */
public final class AdmissionHandler {
  private static final Logger LOG = Logger.getLogger(AdmissionHandler.class.getName());

  private final SidecarInjector injector;
  private final Function<String, Map<String, String>> namespaceLabels;
  private final ConfigLoader loader = ConfigLoader.create();

  /**
   * @param namespaceLabels the labels of a namespace by name (empty when unknown)
   */
  public AdmissionHandler(SidecarInjector injector, Function<String, Map<String, String>> namespaceLabels) {
    this.injector = injector;
    this.namespaceLabels = namespaceLabels;
  }

  public ObjectNode inject(JsonNode review) {
    var request = review.path("request");
    var response = response(request);
    var object = request.path("object");
    if (!object.isObject()) {
      return deny(response, 400, "the AdmissionReview carries no pod object");
    }
    var ns = request.path("namespace").asText(object.path("metadata").path("namespace").asText("default"));
    var decision = InjectionPolicy.decide(object, namespaceLabels.apply(ns));
    var name = object.path("metadata").path("name").asText(object.path("metadata").path("generateName").asText("?"));
    if (!decision.inject()) {
      LOG.fine(() -> "not injecting " + ns + "/" + name + ": " + decision.reason());
      return wrap(response.put("allowed", true));
    }
    ObjectNode injected;
    try {
      injected = injector.inject((ObjectNode) object, ns);
    } catch (IllegalArgumentException e) {
      return deny(response, 400, "sidecar injection failed for pod " + ns + "/" + name + ": " + e.getMessage());
    }
    var patch = JsonPatches.diff(object, injected);
    response.put("allowed", true);
    if (!patch.isEmpty()) {
      response.put("patchType", "JSONPatch");
      response.put("patch", Base64.getEncoder().encodeToString(patch.toString().getBytes(StandardCharsets.UTF_8)));
    }
    LOG.fine(() -> "injected " + ns + "/" + name + " (" + decision.reason() + ")");
    return wrap(response);
  }

  public ObjectNode validate(JsonNode review) {
    var request = review.path("request");
    var response = response(request);
    var object = request.path("object");
    if ("DELETE".equals(request.path("operation").asText()) || !object.isObject()) {
      return wrap(response.put("allowed", true));
    }
    var copy = ((ObjectNode) object).deepCopy();
    copy.remove("status");
    if (!copy.path("metadata").path("namespace").isTextual() && request.path("namespace").isTextual()) {
      copy.withObjectProperty("metadata").put("namespace", request.path("namespace").asText());
    }
    var doc = loader.loadTree(new SourceDocument("admission", 0, 1, ""), copy);
    if (!doc.warnings().isEmpty()) {
      var w = response.putArray("warnings");
      doc.warnings().forEach(w::add);
    }
    if (doc.valid()) {
      return wrap(response.put("allowed", true));
    }
    return deny(response, 422, doc.title() + " is invalid: " + String.join("; ", doc.errors()));
  }

  private static ObjectNode response(JsonNode request) {
    var r = ConfigLoader.JSON.createObjectNode();
    r.put("uid", request.path("uid").asText());
    return r;
  }

  private static ObjectNode deny(ObjectNode response, int code, String message) {
    response.put("allowed", false);
    var status = response.putObject("status");
    status.put("code", code);
    status.put("message", message);
    return wrap(response);
  }

  private static ObjectNode wrap(ObjectNode response) {
    var review = ConfigLoader.JSON.createObjectNode();
    review.put("apiVersion", "admission.k8s.io/v1");
    review.put("kind", "AdmissionReview");
    review.set("response", response);
    return review;
  }
}
