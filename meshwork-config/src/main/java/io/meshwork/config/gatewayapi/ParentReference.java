package io.meshwork.config.gatewayapi;

import io.meshwork.config.schema.Constraints.Max;
import io.meshwork.config.schema.Constraints.MaxLength;
import io.meshwork.config.schema.Constraints.Min;
import io.meshwork.config.schema.Constraints.MinLength;
import io.meshwork.config.schema.Constraints.Pattern;
import io.meshwork.config.schema.Constraints.Required;

/**
 * What a route attaches to: a Gateway (optionally one listener by section name or port), or, for
 * mesh (GAMMA) routes, a Service ({@code group: ""}, {@code kind: Service}).
 *
 * @param group {@code gateway.networking.k8s.io} when absent
 * @param kind {@code Gateway} when absent
 * @param namespace the route's namespace when absent
 */
public record ParentReference(
    @MaxLength(253) @Pattern(Names.GROUP) String group,
    @MinLength(1) @MaxLength(63) @Pattern(Names.KIND) String kind,
    @MinLength(1) @MaxLength(63) @Pattern(Names.NAMESPACE) String namespace,
    @Required @MinLength(1) @MaxLength(253) String name,
    @MinLength(1) @MaxLength(253) @Pattern(Names.SECTION_NAME) String sectionName,
    @Min(1) @Max(65535) Integer port) {

  public String effectiveGroup() {
    return group == null ? "gateway.networking.k8s.io" : group;
  }

  public String effectiveKind() {
    return kind == null ? "Gateway" : kind;
  }

  /** Whether this is a mesh (GAMMA) parent: a Service rather than a Gateway. */
  public boolean isService() {
    return effectiveGroup().isEmpty() && effectiveKind().equals("Service");
  }

  /** Identifies the parent object, ignoring section and port. */
  String parentKey() {
    return effectiveGroup() + "/" + effectiveKind() + "/" + (namespace == null ? "" : namespace) + "/" + name;
  }
}
