package io.meshwork.config.security;

import io.meshwork.config.schema.Constraints.MaxItems;
import java.util.List;

/**
 * One AuthorizationPolicy rule: it matches a request when any {@code from} source, any {@code to}
 * operation and every {@code when} condition match; an empty list matches everything.
 */
public record Rule(
    @MaxItems(512) List<From> from,
    @MaxItems(512) List<To> to,
    @MaxItems(512) List<Condition> when) {

  /** A source of the request. */
  public record From(Source source) implements io.meshwork.config.schema.Validatable {
    @Override
    public void validate(io.meshwork.config.schema.Validation v) {
      if (source == null) {
        v.required(v.at("source"), "each from entry needs a source");
      }
    }
  }

  /** An operation the request performs. */
  public record To(Operation operation) implements io.meshwork.config.schema.Validatable {
    @Override
    public void validate(io.meshwork.config.schema.Validation v) {
      if (operation == null) {
        v.required(v.at("operation"), "each to entry needs an operation");
      }
    }
  }

  /**
   * Whether the rule only looks at HTTP attributes: such a DENY rule also denies every TCP
   * connection in its scope, which istiod warns about.
   */
  boolean onlyHttpAttributes() {
    boolean fromExists = from.stream().anyMatch(f -> f.source() != null);
    boolean toExists = to.stream().anyMatch(t -> t.operation() != null);
    boolean tcpInFrom = from.stream().anyMatch(f -> f.source() != null && f.source().hasTcpAttributes());
    boolean tcpInTo = to.stream().anyMatch(t -> t.operation() != null && t.operation().hasPorts());
    return (fromExists && !toExists && !tcpInFrom) || (toExists && !tcpInTo);
  }
}
