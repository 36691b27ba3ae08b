package io.meshwork.config.kube;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshwork.config.schema.Constraints.Lenient;
import io.meshwork.config.schema.Validatable;
import io.meshwork.config.schema.Validation;
import java.util.HashSet;
import java.util.List;

/**
 * A pod's spec as the registry and the sidecar injector read it: containers and the service
 * account that gives the pod its mesh identity ({@code default} when absent).
 */
@Lenient
public record PodSpec(
    List<Container> containers,
    List<Container> initContainers,
    String serviceAccountName,
    String serviceAccount,
    String nodeName,
    Boolean hostNetwork,
    String hostname,
    String subdomain,
    Long terminationGracePeriodSeconds,
    List<JsonNode> volumes) implements Validatable {

  /** The service account name, with the deprecated {@code serviceAccount} and the default applied. */
  public String effectiveServiceAccount() {
    if (serviceAccountName != null && !serviceAccountName.isEmpty()) {
      return serviceAccountName;
    }
    return serviceAccount != null && !serviceAccount.isEmpty() ? serviceAccount : "default";
  }

  @Override
  public void validate(Validation v) {
    if (containers.isEmpty()) {
      v.required(v.at("containers"), "a pod needs at least one container");
    }
    var names = new HashSet<String>();
    for (int i = 0; i < containers.size(); i++) {
      if (!names.add(containers.get(i).name())) {
        v.duplicate(v.at("containers").index(i).child("name"), containers.get(i).name());
      }
    }
  }
}
