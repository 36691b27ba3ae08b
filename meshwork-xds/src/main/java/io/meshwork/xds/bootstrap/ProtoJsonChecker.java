package io.meshwork.xds.bootstrap;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.OneofDescriptor;
import io.meshwork.config.schema.FieldPath;
import io.meshwork.xds.EnvoyTypes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Walks a JSON tree alongside a proto descriptor and reports every mismatch with its field path.
 * {@code JsonFormat} would reject the same input, but with "Cannot find field: prefx in message
 * RouteMatch" and no idea where in a 300-line bootstrap that was; this walk exists only to say where.
 * It accepts exactly what proto3 JSON mapping accepts (json or proto field names, enum names or
 * numbers, integers as strings, the well-known types' special forms).
 */
final class ProtoJsonChecker {
  private static final Pattern DURATION = Pattern.compile("-?\\d+(\\.\\d{1,9})?s");
  private static final Pattern INTEGER = Pattern.compile("-?\\d+");
  private static final int MAX_PROBLEMS = 20;

  private final List<String> problems = new ArrayList<>();

  List<String> problems() {
    return problems;
  }

  void check(JsonNode node, Descriptor type, FieldPath path) {
    if (problems.size() >= MAX_PROBLEMS || node.isNull()) {
      return;
    }
    switch (type.getFullName()) {
      case "google.protobuf.Any" -> checkAny(node, path);
      case "google.protobuf.Duration" -> {
        if (!node.isTextual() || !DURATION.matcher(node.asText()).matches()) {
          report(path, "expected a duration such as \"0.25s\" or \"5s\", got " + show(node));
        }
      }
      case "google.protobuf.Timestamp", "google.protobuf.FieldMask" -> expect(node.isTextual(), path, "a string", node);
      case "google.protobuf.Struct" -> expect(node.isObject(), path, "an object", node);
      case "google.protobuf.ListValue" -> expect(node.isArray(), path, "a list", node);
      case "google.protobuf.Value" -> { }
      case "google.protobuf.DoubleValue", "google.protobuf.FloatValue", "google.protobuf.Int64Value",
           "google.protobuf.UInt64Value", "google.protobuf.Int32Value", "google.protobuf.UInt32Value",
           "google.protobuf.BoolValue", "google.protobuf.StringValue", "google.protobuf.BytesValue" ->
          checkScalar(node, type.findFieldByName("value"), path);
      default -> checkMessage(node, type, path);
    }
  }

  private void checkAny(JsonNode node, FieldPath path) {
    if (!node.isObject()) {
      report(path, "expected an object with \"@type\", got " + show(node));
      return;
    }
    var typeNode = node.get("@type");
    if (typeNode == null || !typeNode.isTextual()) {
      report(path, "missing \"@type\" (for example \"type.googleapis.com/envoy.extensions.filters.http.router.v3.Router\")");
      return;
    }
    var resolved = EnvoyTypes.find(typeNode.asText());
    if (resolved == null) {
      report(path.child("@type"), "unknown type \"" + typeNode.asText() + "\"; Meshwork does not support this extension");
      return;
    }
    if (resolved.getFullName().startsWith("google.protobuf.")) {
      var value = node.get("value");
      if (value != null) {
        check(value, resolved, path.child("value"));
      }
      return;
    }
    checkFields(node, resolved, path, "@type");
  }

  private void checkMessage(JsonNode node, Descriptor type, FieldPath path) {
    if (!node.isObject()) {
      report(path, "expected an object (" + type.getName() + "), got " + show(node));
      return;
    }
    checkFields(node, type, path, null);
  }

  private void checkFields(JsonNode node, Descriptor type, FieldPath path, String skip) {
    Map<OneofDescriptor, String> oneofs = new HashMap<>();
    Map<FieldDescriptor, String> seen = new HashMap<>();
    for (var it = node.properties().iterator(); it.hasNext(); ) {
      var e = it.next();
      var name = e.getKey();
      if (name.equals(skip)) {
        continue;
      }
      var field = type.findFieldByName(name);
      if (field == null) {
        field = findByJsonName(type, name);
      }
      var child = path.child(name);
      if (field == null) {
        report(child, "unknown field \"" + name + "\" in " + type.getFullName() + suggestion(type, name));
        continue;
      }
      var previous = seen.put(field, name);
      if (previous != null) {
        report(child, "field is set twice (as \"" + previous + "\" and \"" + name + "\")");
        continue;
      }
      var oneof = field.getRealContainingOneof();
      if (oneof != null && !e.getValue().isNull()) {
        var other = oneofs.put(oneof, name);
        if (other != null) {
          report(child, "\"" + other + "\" and \"" + name + "\" are alternatives; set only one of them");
        }
      }
      checkField(e.getValue(), field, child);
    }
  }

  private void checkField(JsonNode value, FieldDescriptor field, FieldPath path) {
    if (value.isNull()) {
      return;
    }
    if (field.isMapField()) {
      if (!value.isObject()) {
        report(path, "expected a map (object), got " + show(value));
        return;
      }
      var valueField = field.getMessageType().findFieldByName("value");
      for (var it = value.properties().iterator(); it.hasNext(); ) {
        var e = it.next();
        checkSingle(e.getValue(), valueField, path.key(e.getKey()));
      }
      return;
    }
    if (field.isRepeated()) {
      if (!value.isArray()) {
        report(path, "expected a list, got " + show(value));
        return;
      }
      for (int i = 0; i < value.size(); i++) {
        checkSingle(value.get(i), field, path.index(i));
      }
      return;
    }
    checkSingle(value, field, path);
  }

  private void checkSingle(JsonNode value, FieldDescriptor field, FieldPath path) {
    if (field.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
      check(value, field.getMessageType(), path);
    } else {
      checkScalar(value, field, path);
    }
  }

  private void checkScalar(JsonNode v, FieldDescriptor field, FieldPath path) {
    if (v.isNull()) {
      return;
    }
    switch (field.getJavaType()) {
      case INT, LONG -> {
        boolean ok = v.isIntegralNumber() || (v.isTextual() && INTEGER.matcher(v.asText()).matches())
            || (v.isNumber() && v.asDouble() == Math.rint(v.asDouble()));
        if (!ok) {
          report(path, "expected an integer, got " + show(v));
        } else if (isUnsigned(field) && v.asText().startsWith("-")) {
          report(path, "expected a non-negative integer, got " + show(v));
        } else if (field.getJavaType() == FieldDescriptor.JavaType.INT && !fitsInt(v, isUnsigned(field))) {
          report(path, "integer out of range: " + show(v));
        }
      }
      case FLOAT, DOUBLE -> expect(v.isNumber() || (v.isTextual() && isFloatText(v.asText())), path, "a number", v);
      case BOOLEAN -> expect(v.isBoolean() || (v.isTextual() && (v.asText().equals("true") || v.asText().equals("false"))),
          path, "true or false", v);
      case STRING, BYTE_STRING -> expect(v.isValueNode(), path, "a string", v);
      case ENUM -> {
        var enumType = field.getEnumType();
        boolean ok = (v.isTextual() && enumType.findValueByName(v.asText()) != null)
            || (v.isIntegralNumber() && enumType.findValueByNumber(v.asInt()) != null);
        if (!ok) {
          var names = enumType.getValues().stream().map(x -> x.getName()).toList();
          report(path, "unknown value " + show(v) + "; expected one of " + names);
        }
      }
      case MESSAGE -> check(v, field.getMessageType(), path);
    }
  }

  private static FieldDescriptor findByJsonName(Descriptor type, String name) {
    for (var f : type.getFields()) {
      if (f.getJsonName().equals(name)) {
        return f;
      }
    }
    return null;
  }

  private static String suggestion(Descriptor type, String name) {
    String best = null;
    int bestDistance = 3;
    for (var f : type.getFields()) {
      int d = distance(f.getName(), name);
      if (d < bestDistance) {
        bestDistance = d;
        best = f.getName();
      }
    }
    return best == null ? "" : "; did you mean \"" + best + "\"?";
  }

  private static int distance(String a, String b) {
    var prev = new int[b.length() + 1];
    var cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      var t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }

  private static boolean isUnsigned(FieldDescriptor f) {
    return switch (f.getType()) {
      case UINT32, UINT64, FIXED32, FIXED64 -> true;
      default -> false;
    };
  }

  private static boolean fitsInt(JsonNode v, boolean unsigned) {
    try {
      long l = v.isTextual() ? Long.parseLong(v.asText()) : v.asLong();
      return unsigned ? l >= 0 && l <= 0xFFFF_FFFFL : l >= Integer.MIN_VALUE && l <= Integer.MAX_VALUE;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  private static boolean isFloatText(String s) {
    if (s.equals("NaN") || s.equals("Infinity") || s.equals("-Infinity")) {
      return true;
    }
    try {
      Double.parseDouble(s);
      return true;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  private void expect(boolean ok, FieldPath path, String what, JsonNode got) {
    if (!ok) {
      report(path, "expected " + what + ", got " + show(got));
    }
  }

  private void report(FieldPath path, String message) {
    if (problems.size() < MAX_PROBLEMS) {
      problems.add(path + ": " + message);
    }
  }

  private static String show(JsonNode n) {
    if (n.isObject()) {
      return "an object";
    }
    if (n.isArray()) {
      return "a list";
    }
    var s = n.toString();
    return s.length() > 60 ? s.substring(0, 57) + "..." : s;
  }
}
