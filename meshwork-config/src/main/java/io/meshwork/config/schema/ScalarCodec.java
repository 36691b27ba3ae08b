package io.meshwork.config.schema;

import com.fasterxml.jackson.databind.JsonNode;
import java.lang.reflect.AnnotatedType;

/** Converts a value type that is written as a JSON scalar (durations, int-or-string) in both directions. */
public interface ScalarCodec<T> {
  /** Returns the value, or null after adding an error to {@code v}. */
  T fromJson(JsonNode node, FieldPath path, AnnotatedType type, Validation v);

  JsonNode toJson(T value);
}
