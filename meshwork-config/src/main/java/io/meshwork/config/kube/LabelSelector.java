package io.meshwork.config.kube;

import io.meshwork.config.schema.Constraints.Lenient;
import io.meshwork.config.schema.Constraints.Required;
import java.util.List;
import java.util.Map;

/**
 * A Kubernetes label selector (Deployments, Gateway API route namespaces): every matchLabels pair
 * and every matchExpressions requirement must hold. An empty selector matches everything.
 */
@Lenient
public record LabelSelector(Map<String, String> matchLabels, List<Requirement> matchExpressions) {

  /** {@code key In/NotIn values}, {@code key Exists/DoesNotExist}. */
  @Lenient
  public record Requirement(@Required String key, @Required Operator operator, List<String> values) {}

  /** A requirement's operator. */
  public enum Operator {
    In,
    NotIn,
    Exists,
    DoesNotExist
  }

  public boolean isEmpty() {
    return matchLabels.isEmpty() && matchExpressions.isEmpty();
  }

  /** Whether labels satisfy this selector. */
  public boolean matches(Map<String, String> labels) {
    for (var e : matchLabels.entrySet()) {
      if (!e.getValue().equals(labels.get(e.getKey()))) {
        return false;
      }
    }
    for (var r : matchExpressions) {
      var value = labels.get(r.key());
      boolean ok = switch (r.operator()) {
        case In -> value != null && r.values().contains(value);
        case NotIn -> value == null || !r.values().contains(value);
        case Exists -> value != null;
        case DoesNotExist -> value == null;
      };
      if (!ok) {
        return false;
      }
    }
    return true;
  }
}
