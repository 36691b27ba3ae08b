package io.meshwork.config.kube;

import io.meshwork.config.ObjectMeta;
import io.meshwork.config.schema.Constraints.Lenient;
import io.meshwork.config.schema.Constraints.Required;
import java.util.Map;

/** The pods a Deployment creates: their labels (which Services select) and spec. */
@Lenient
public record PodTemplateSpec(ObjectMeta metadata, @Required PodSpec spec) {

  public Map<String, String> labels() {
    return metadata == null ? Map.of() : metadata.labels();
  }
}
