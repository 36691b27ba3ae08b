package io.meshwork.config.gatewayapi;

import io.meshwork.config.schema.Constraints.Max;
import io.meshwork.config.schema.Constraints.MaxLength;
import io.meshwork.config.schema.Constraints.Min;
import io.meshwork.config.schema.Constraints.MinLength;
import io.meshwork.config.schema.Constraints.Pattern;
import io.meshwork.config.schema.Constraints.Required;
import io.meshwork.config.schema.Validatable;
import io.meshwork.config.schema.Validation;

/**
 * A backend (a Service by default) of a mirror filter; route backends add a weight and filters
 * ({@link HTTPRoute.HTTPBackendRef}). A Service backend needs a port.
 */
public record BackendObjectReference(
    @MaxLength(253) @Pattern(Names.GROUP) String group,
    @MinLength(1) @MaxLength(63) @Pattern(Names.KIND) String kind,
    @Required @MinLength(1) @MaxLength(253) String name,
    @MinLength(1) @MaxLength(63) @Pattern(Names.NAMESPACE) String namespace,
    @Min(1) @Max(65535) Integer port) implements Validatable {

  @Override
  public void validate(Validation v) {
    BackendRefs.requirePort(v, group, kind, port);
  }
}
