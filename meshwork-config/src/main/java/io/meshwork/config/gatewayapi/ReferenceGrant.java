package io.meshwork.config.gatewayapi;

import io.meshwork.config.schema.Constraints.MaxItems;
import io.meshwork.config.schema.Constraints.MaxLength;
import io.meshwork.config.schema.Constraints.MinItems;
import io.meshwork.config.schema.Constraints.MinLength;
import io.meshwork.config.schema.Constraints.Pattern;
import io.meshwork.config.schema.Constraints.Required;
import java.util.List;

/**
 * gateway.networking.k8s.io ReferenceGrant: lets objects of the {@code from} kinds in other
 * namespaces refer to objects of the {@code to} kinds in this one (a route in another namespace
 * using this namespace's Service as a backend, a Gateway using a Secret).
 */
public record ReferenceGrant(
    @Required @MinItems(1) @MaxItems(16) List<From> from,
    @Required @MinItems(1) @MaxItems(16) List<To> to) {

  /** Who may refer: a kind in a namespace. */
  public record From(
      @Required @MaxLength(253) @Pattern(Names.GROUP) String group,
      @Required @MinLength(1) @MaxLength(63) @Pattern(Names.KIND) String kind,
      @Required @MinLength(1) @MaxLength(63) @Pattern(Names.NAMESPACE) String namespace) {}

  /** What may be referred to: a kind, optionally one object by name. */
  public record To(
      @Required @MaxLength(253) @Pattern(Names.GROUP) String group,
      @Required @MinLength(1) @MaxLength(63) @Pattern(Names.KIND) String kind,
      @MinLength(1) @MaxLength(253) String name) {}
}
