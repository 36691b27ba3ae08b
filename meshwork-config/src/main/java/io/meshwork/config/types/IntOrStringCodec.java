package io.meshwork.config.types;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.meshwork.config.schema.FieldError;
import io.meshwork.config.schema.FieldPath;
import io.meshwork.config.schema.ScalarCodec;
import io.meshwork.config.schema.Validation;
import java.lang.reflect.AnnotatedType;

/** Reads and writes {@link IntOrString}: a JSON integer (32-bit) or string, as the API server accepts it. */
public final class IntOrStringCodec implements ScalarCodec<IntOrString> {
  @Override
  public IntOrString fromJson(JsonNode node, FieldPath path, AnnotatedType type, Validation v) {
    if (node.isTextual()) {
      return IntOrString.of(node.textValue());
    }
    if (node.isIntegralNumber() && node.canConvertToInt()) {
      return IntOrString.of(node.intValue());
    }
    String t = node.isNumber() ? "number" : node.isBoolean() ? "boolean" : node.isArray() ? "array" : node.isNull() ? "null" : "object";
    v.add(FieldError.invalid(path, t, path + " in body must be of type integer or string: " + FieldError.formatValue(t)));
    return null;
  }

  @Override
  public JsonNode toJson(IntOrString value) {
    return value.isInt() ? JsonNodeFactory.instance.numberNode(value.intValue()) : JsonNodeFactory.instance.textNode(value.strValue());
  }
}
