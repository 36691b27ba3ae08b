package io.meshwork.config.schema;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Structural constraints on model types, read by {@link Binder} the way the Kubernetes API server
 * reads a CRD's OpenAPI schema. They are TYPE_USE annotations so that list items and map values
 * can carry them too: {@code List<@MinLength(1) String> audiences}.
 */
public final class Constraints {
  private Constraints() {}

  /** The field must be present: {@code path: Required value}. */
  @Retention(RetentionPolicy.RUNTIME)
  @Target(ElementType.TYPE_USE)
  public @interface Required {}

  /** {@code path in body should be at least N chars long}. */
  @Retention(RetentionPolicy.RUNTIME)
  @Target(ElementType.TYPE_USE)
  public @interface MinLength {
    int value();
  }

  /** {@code path in body may not be longer than N}. */
  @Retention(RetentionPolicy.RUNTIME)
  @Target(ElementType.TYPE_USE)
  public @interface MaxLength {
    int value();
  }

  /** The string must match (RE2 syntax, full match): {@code path in body should match 'RE'}. */
  @Retention(RetentionPolicy.RUNTIME)
  @Target(ElementType.TYPE_USE)
  public @interface Pattern {
    String value();
  }

  /** {@code path in body should be greater than or equal to N}. */
  @Retention(RetentionPolicy.RUNTIME)
  @Target(ElementType.TYPE_USE)
  public @interface Min {
    double value();
  }

  /** {@code path in body should be less than or equal to N}. */
  @Retention(RetentionPolicy.RUNTIME)
  @Target(ElementType.TYPE_USE)
  public @interface Max {
    double value();
  }

  /** A TCP/UDP port: {@code Invalid value: N: port must be between 1-65535}. */
  @Retention(RetentionPolicy.RUNTIME)
  @Target(ElementType.TYPE_USE)
  public @interface Port {}

  /** {@code path in body should have at least N items}. */
  @Retention(RetentionPolicy.RUNTIME)
  @Target(ElementType.TYPE_USE)
  public @interface MinItems {
    int value();
  }

  /** {@code path: Too many: N: must have at most M items}. */
  @Retention(RetentionPolicy.RUNTIME)
  @Target(ElementType.TYPE_USE)
  public @interface MaxItems {
    int value();
  }

  /** {@code path in body should have at least N properties}. */
  @Retention(RetentionPolicy.RUNTIME)
  @Target(ElementType.TYPE_USE)
  public @interface MinProperties {
    int value();
  }

  /** {@code path: Too many: N: must have at most M items} for maps. */
  @Retention(RetentionPolicy.RUNTIME)
  @Target(ElementType.TYPE_USE)
  public @interface MaxProperties {
    int value();
  }

  /** A duration no shorter than the given one (Istio's CEL rule {@code duration(self) >= duration('1ms')}). */
  @Retention(RetentionPolicy.RUNTIME)
  @Target(ElementType.TYPE_USE)
  public @interface MinDuration {
    String value();
  }

  /** List items must be unique: {@code path[i]: Duplicate value: V}. */
  @Retention(RetentionPolicy.RUNTIME)
  @Target(ElementType.TYPE_USE)
  public @interface Unique {}

  /** The JSON name of a record component or enum constant when it differs from the Java name. */
  @Retention(RetentionPolicy.RUNTIME)
  @Target({ElementType.RECORD_COMPONENT, ElementType.FIELD, ElementType.METHOD, ElementType.PARAMETER})
  public @interface Json {
    String value();
  }

  /** Unknown fields of this record are ignored instead of rejected (Kubernetes built-in kinds). */
  @Retention(RetentionPolicy.RUNTIME)
  @Target(ElementType.TYPE)
  public @interface Lenient {}
}
