package io.meshwork.config.schema;

/**
 * A model record with rules beyond its structural constraints (Istio's CEL rules and webhook
 * checks). {@link Binder} calls {@link #validate} after the record's own subtree bound without
 * errors, with {@link Validation#path()} pointing at the record.
 */
public interface Validatable {
  void validate(Validation v);
}
