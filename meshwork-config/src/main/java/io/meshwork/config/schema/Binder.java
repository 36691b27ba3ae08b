package io.meshwork.config.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.re2j.PatternSyntaxException;
import io.meshwork.config.schema.Constraints.Json;
import io.meshwork.config.schema.Constraints.Lenient;
import io.meshwork.config.types.Duration;
import java.lang.annotation.Annotation;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.AnnotatedParameterizedType;
import java.lang.reflect.AnnotatedType;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Binds a JSON tree to the model's records and checks it against their structural constraints in
 * one walk, collecting every error with its field path (the API server's structural-schema
 * validation, then each record's own {@link Validatable} rules). Also writes records back to JSON.
 *
 * <p>Supported Java types: String, boolean, int, long, double (boxed or not), enums (constant name
 * or {@link Json} name), {@code List<T>}, {@code Map<String|Integer, T>}, records, {@link JsonNode}
 * (free-form), and scalar types registered with {@link #registerScalar}. Absent lists and maps bind
 * to empty ones, absent objects to null.
 */
public final class Binder {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final Map<Class<?>, ScalarCodec<?>> SCALARS = new ConcurrentHashMap<>();
  private static final Map<Class<?>, RecordShape> RECORDS = new ConcurrentHashMap<>();
  private static final Map<Class<?>, EnumShape> ENUMS = new ConcurrentHashMap<>();
  private static final Map<String, com.google.re2j.Pattern> PATTERNS = new ConcurrentHashMap<>();

  static {
    registerScalar(Duration.class, new DurationCodec());
    registerScalar(io.meshwork.config.types.IntOrString.class, new io.meshwork.config.types.IntOrStringCodec());
  }

  private Binder() {}

  public static <T> void registerScalar(Class<T> type, ScalarCodec<T> codec) {
    SCALARS.put(type, codec);
  }

  /** Binds {@code node} found at {@code path} to a record of type {@code type}; null when it is not an object. */
  public static <T> T bind(JsonNode node, Class<T> type, FieldPath path, Validation v) {
    var shape = recordShape(type);
    return type.cast(shape.bind(node, path, v));
  }

  /** Writes a bound value back to JSON, leaving out nulls and empty lists and maps. */
  public static JsonNode toJson(Object value) {
    return write(value);
  }

  // ---------------------------------------------------------------- shapes

  /** A compiled view of one (annotated) Java type. */
  private abstract static class Shape {
    final Annotation[] constraints;
    boolean required;

    Shape(Annotation[] constraints) {
      this.constraints = constraints;
      for (var a : constraints) {
        if (a instanceof Constraints.Required) {
          required = true;
        }
      }
    }

    abstract Object bind(JsonNode node, FieldPath path, Validation v);

    Object absent() {
      return null;
    }

    String jsonType() {
      return "object";
    }

    boolean typeError(JsonNode node, FieldPath path, Validation v) {
      v.add(FieldError.invalid(path, jsonTypeOf(node),
          path + " in body must be of type " + jsonType() + ": " + FieldError.formatValue(jsonTypeOf(node))));
      return false;
    }
  }

  static String jsonTypeOf(JsonNode node) {
    if (node == null || node.isNull() || node.isMissingNode()) {
      return "null";
    }
    if (node.isTextual()) {
      return "string";
    }
    if (node.isIntegralNumber()) {
      return "integer";
    }
    if (node.isNumber()) {
      return "number";
    }
    if (node.isBoolean()) {
      return "boolean";
    }
    if (node.isArray()) {
      return "array";
    }
    return "object";
  }

  private static Shape shapeOf(AnnotatedType at) {
    var annotations = at.getAnnotations();
    var type = at.getType();
    Class<?> raw = type instanceof ParameterizedType pt ? (Class<?>) pt.getRawType() : (Class<?>) type;
    if (raw == String.class) {
      return new StringShape(annotations);
    }
    if (raw == int.class || raw == Integer.class || raw == long.class || raw == Long.class) {
      return new NumberShape(annotations, raw, true);
    }
    if (raw == double.class || raw == Double.class || raw == float.class || raw == Float.class) {
      return new NumberShape(annotations, raw, false);
    }
    if (raw == boolean.class || raw == Boolean.class) {
      return new BooleanShape(annotations, raw.isPrimitive());
    }
    if (raw == JsonNode.class) {
      return new AnyShape(annotations);
    }
    if (raw == List.class) {
      var item = ((AnnotatedParameterizedType) at).getAnnotatedActualTypeArguments()[0];
      return new ListShape(annotations, item);
    }
    if (raw == Map.class) {
      var args = ((AnnotatedParameterizedType) at).getAnnotatedActualTypeArguments();
      return new MapShape(annotations, (Class<?>) args[0].getType(), args[1]);
    }
    if (raw.isEnum()) {
      return new EnumRef(annotations, raw);
    }
    var scalar = SCALARS.get(raw);
    if (scalar != null) {
      return new ScalarShape(annotations, scalar, at);
    }
    if (raw.isRecord()) {
      return new RecordRef(annotations, raw);
    }
    throw new IllegalStateException("the model uses a type the binder does not know: " + at);
  }

  static RecordShape recordShape(Class<?> type) {
    var shape = RECORDS.get(type);
    if (shape == null) {
      shape = new RecordShape(type);
      var prior = RECORDS.putIfAbsent(type, shape);
      if (prior != null) {
        return prior;
      }
      shape.init();
    }
    return shape;
  }

  private static final class StringShape extends Shape {
    StringShape(Annotation[] c) {
      super(c);
    }

    @Override
    String jsonType() {
      return "string";
    }

    @Override
    Object bind(JsonNode node, FieldPath path, Validation v) {
      if (!node.isTextual()) {
        typeError(node, path, v);
        return null;
      }
      var s = node.textValue();
      for (var a : constraints) {
        switch (a) {
          case Constraints.MinLength m when s.length() < m.value() ->
              v.add(FieldError.invalid(path, s, path + " in body should be at least " + m.value() + " chars long"));
          case Constraints.MaxLength m when s.length() > m.value() ->
              v.add(FieldError.invalid(path, s, path + " in body may not be longer than " + m.value()));
          case Constraints.Pattern p when !pattern(p.value()).matches(s) ->
              v.add(FieldError.invalid(path, s, path + " in body should match '" + p.value() + "'"));
          default -> {}
        }
      }
      return s;
    }
  }

  static com.google.re2j.Pattern pattern(String re) {
    return PATTERNS.computeIfAbsent(re, r -> {
      try {
        return com.google.re2j.Pattern.compile(r);
      } catch (PatternSyntaxException e) {
        throw new IllegalStateException("bad pattern in the model: " + r, e);
      }
    });
  }

  private static final class NumberShape extends Shape {
    final Class<?> raw;
    final boolean integral;

    NumberShape(Annotation[] c, Class<?> raw, boolean integral) {
      super(c);
      this.raw = raw;
      this.integral = integral;
    }

    @Override
    String jsonType() {
      return integral ? "integer" : "number";
    }

    @Override
    Object absent() {
      if (!raw.isPrimitive()) {
        return null;
      }
      return integral ? (raw == int.class ? (Object) 0 : (Object) 0L) : (raw == double.class ? (Object) 0.0 : (Object) 0f);
    }

    @Override
    Object bind(JsonNode node, FieldPath path, Validation v) {
      boolean ok = integral ? node.isIntegralNumber() || (node.isNumber() && node.doubleValue() == Math.rint(node.doubleValue())) : node.isNumber();
      if (!ok) {
        typeError(node, path, v);
        return absent();
      }
      double d = node.doubleValue();
      for (var a : constraints) {
        switch (a) {
          case Constraints.Min m when d < m.value() ->
              v.add(FieldError.invalid(path, node.numberValue(), path + " in body should be greater than or equal to " + fmt(m.value())));
          case Constraints.Max m when d > m.value() ->
              v.add(FieldError.invalid(path, node.numberValue(), path + " in body should be less than or equal to " + fmt(m.value())));
          case Constraints.Port p when d < 1 || d > 65535 ->
              v.add(FieldError.invalid(path, node.numberValue(), "port must be between 1-65535"));
          default -> {}
        }
      }
      if (raw == int.class || raw == Integer.class) {
        if (!node.canConvertToInt() && node.isIntegralNumber()) {
          v.add(FieldError.invalid(path, node.numberValue(), "out of range for a 32-bit integer"));
          return absent();
        }
        return node.asInt();
      }
      if (raw == long.class || raw == Long.class) {
        return node.asLong();
      }
      if (raw == float.class || raw == Float.class) {
        return (float) d;
      }
      return d;
    }
  }

  static String fmt(double d) {
    return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
  }

  private static final class BooleanShape extends Shape {
    final boolean primitive;

    BooleanShape(Annotation[] c, boolean primitive) {
      super(c);
      this.primitive = primitive;
    }

    @Override
    String jsonType() {
      return "boolean";
    }

    @Override
    Object absent() {
      return primitive ? Boolean.FALSE : null;
    }

    @Override
    Object bind(JsonNode node, FieldPath path, Validation v) {
      if (!node.isBoolean()) {
        typeError(node, path, v);
        return absent();
      }
      return node.booleanValue();
    }
  }

  private static final class AnyShape extends Shape {
    AnyShape(Annotation[] c) {
      super(c);
    }

    @Override
    Object bind(JsonNode node, FieldPath path, Validation v) {
      return node;
    }
  }

  private static final class ScalarShape extends Shape {
    final ScalarCodec<?> codec;
    final AnnotatedType type;

    ScalarShape(Annotation[] c, ScalarCodec<?> codec, AnnotatedType type) {
      super(c);
      this.codec = codec;
      this.type = type;
    }

    @Override
    Object bind(JsonNode node, FieldPath path, Validation v) {
      return codec.fromJson(node, path, type, v);
    }
  }

  private static final class ListShape extends Shape {
    final AnnotatedType itemType;
    volatile Shape item;
    final boolean unique;

    ListShape(Annotation[] c, AnnotatedType itemType) {
      super(c);
      this.itemType = itemType;
      boolean u = false;
      for (var a : c) {
        u |= a instanceof Constraints.Unique;
      }
      this.unique = u;
    }

    @Override
    String jsonType() {
      return "array";
    }

    @Override
    Object absent() {
      return List.of();
    }

    @Override
    Object bind(JsonNode node, FieldPath path, Validation v) {
      if (!node.isArray()) {
        typeError(node, path, v);
        return List.of();
      }
      var itemShape = item;
      if (itemShape == null) {
        itemShape = item = shapeOf(itemType);
      }
      var out = new ArrayList<>(node.size());
      var seen = unique ? new HashSet<JsonNode>() : null;
      for (int i = 0; i < node.size(); i++) {
        var child = node.get(i);
        var childPath = path.index(i);
        if (child.isNull()) {
          itemShape.typeError(child, childPath, v);
          continue;
        }
        if (seen != null && !seen.add(child)) {
          v.add(FieldError.duplicate(childPath, child.isTextual() ? child.textValue() : new FieldError.Raw(child.toString())));
        }
        var value = itemShape.bind(child, childPath, v);
        if (value != null) {
          out.add(value);
        }
      }
      checkSize(constraints, node.size(), "items", path, v);
      return Collections.unmodifiableList(out);
    }
  }

  /** MinItems/MaxItems on lists, MinProperties/MaxProperties on maps, in the API server's words. */
  private static void checkSize(Annotation[] constraints, int size, String noun, FieldPath path, Validation v) {
    for (var a : constraints) {
      int min = a instanceof Constraints.MinItems m ? m.value() : a instanceof Constraints.MinProperties m ? m.value() : -1;
      int max = a instanceof Constraints.MaxItems m ? m.value() : a instanceof Constraints.MaxProperties m ? m.value() : -1;
      if (min >= 0 && size < min) {
        v.add(FieldError.invalid(path, new FieldError.Raw(Integer.toString(size)), path + " in body should have at least " + min + " " + noun));
      }
      if (max >= 0 && size > max) {
        v.add(new FieldError(path, FieldError.Type.TOO_MANY, size, "must have at most " + max + " items"));
      }
    }
  }

  private static final class MapShape extends Shape {
    final Class<?> keyType;
    final AnnotatedType valueType;
    volatile Shape value;

    MapShape(Annotation[] c, Class<?> keyType, AnnotatedType valueType) {
      super(c);
      this.keyType = keyType;
      this.valueType = valueType;
    }

    @Override
    Object absent() {
      return Map.of();
    }

    @Override
    Object bind(JsonNode node, FieldPath path, Validation v) {
      if (!node.isObject()) {
        typeError(node, path, v);
        return Map.of();
      }
      var valueShape = value;
      if (valueShape == null) {
        valueShape = value = shapeOf(valueType);
      }
      var out = new LinkedHashMap<Object, Object>();
      for (var it = node.properties().iterator(); it.hasNext(); ) {
        var e = it.next();
        var childPath = path.key(e.getKey());
        Object key = e.getKey();
        if (keyType == Integer.class) {
          try {
            long k = Long.parseLong(e.getKey());
            if (k < 0 || k > 0xFFFFFFFFL) {
              throw new NumberFormatException();
            }
            key = (int) k;
          } catch (NumberFormatException ex) {
            v.add(FieldError.invalid(path, e.getKey(), "type conversion error from \"" + e.getKey() + "\" to uint32: map keys must be numbers"));
            continue;
          }
        }
        if (e.getValue().isNull()) {
          valueShape.typeError(e.getValue(), childPath, v);
          continue;
        }
        var bound = valueShape.bind(e.getValue(), childPath, v);
        if (bound != null) {
          out.put(key, bound);
        }
      }
      checkSize(constraints, node.size(), "properties", path, v);
      return Collections.unmodifiableMap(out);
    }
  }

  private static final class EnumRef extends Shape {
    final Class<?> type;

    EnumRef(Annotation[] c, Class<?> type) {
      super(c);
      this.type = type;
    }

    @Override
    String jsonType() {
      return "string";
    }

    @Override
    Object bind(JsonNode node, FieldPath path, Validation v) {
      if (!node.isTextual()) {
        typeError(node, path, v);
        return null;
      }
      var shape = ENUMS.computeIfAbsent(type, EnumShape::new);
      var value = shape.byName.get(node.textValue());
      if (value == null) {
        v.add(FieldError.unsupported(path, node.textValue(), shape.names));
      }
      return value;
    }
  }

  private static final class EnumShape {
    final Map<String, Object> byName = new HashMap<>();
    final List<String> names = new ArrayList<>();
    final Map<Object, String> nameOf = new HashMap<>();

    EnumShape(Class<?> type) {
      for (var constant : type.getEnumConstants()) {
        var e = (Enum<?>) constant;
        String name = e.name();
        try {
          var json = type.getField(e.name()).getAnnotation(Json.class);
          if (json != null) {
            name = json.value();
          }
        } catch (NoSuchFieldException ex) {
          throw new IllegalStateException(ex);
        }
        byName.put(name, constant);
        names.add(name);
        nameOf.put(constant, name);
      }
    }
  }

  private static final class RecordRef extends Shape {
    final Class<?> type;

    RecordRef(Annotation[] c, Class<?> type) {
      super(c);
      this.type = type;
    }

    @Override
    Object bind(JsonNode node, FieldPath path, Validation v) {
      return recordShape(type).bind(node, path, v);
    }
  }

  /** A record: its components by JSON name, its canonical constructor, its own rules. */
  static final class RecordShape {
    final Class<?> type;
    final boolean lenient;
    final boolean validatable;
    String[] names;
    Shape[] shapes;
    MethodHandle[] accessors;
    Map<String, Integer> index;
    MethodHandle constructor;
    private volatile boolean ready;

    RecordShape(Class<?> type) {
      this.type = type;
      this.lenient = type.isAnnotationPresent(Lenient.class);
      this.validatable = Validatable.class.isAssignableFrom(type);
    }

    synchronized void init() {
      if (ready) {
        return;
      }
      var lookup = MethodHandles.publicLookup();
      RecordComponent[] rc = type.getRecordComponents();
      names = new String[rc.length];
      shapes = new Shape[rc.length];
      accessors = new MethodHandle[rc.length];
      index = new HashMap<>();
      var types = new Class<?>[rc.length];
      try {
        for (int i = 0; i < rc.length; i++) {
          var json = rc[i].getAnnotation(Json.class);
          names[i] = json != null ? json.value() : rc[i].getName();
          index.put(names[i], i);
          types[i] = rc[i].getType();
          accessors[i] = lookup.unreflect(rc[i].getAccessor());
        }
        constructor = lookup.unreflectConstructor(type.getDeclaredConstructor(types));
        for (int i = 0; i < rc.length; i++) {
          shapes[i] = shapeOf(rc[i].getAnnotatedType());
        }
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException("model record " + type.getName() + " must be public with a public canonical constructor", e);
      }
      ready = true;
    }

    Object bind(JsonNode node, FieldPath path, Validation v) {
      if (!ready) {
        init();
      }
      if (node == null || !node.isObject()) {
        v.add(FieldError.invalid(path, jsonTypeOf(node),
            path + " in body must be of type object: " + FieldError.formatValue(jsonTypeOf(node))));
        return null;
      }
      int errorsBefore = v.errorCount();
      var args = new Object[names.length];
      var present = new boolean[names.length];
      for (var it = node.properties().iterator(); it.hasNext(); ) {
        var e = it.next();
        Integer i = index.get(e.getKey());
        if (i == null) {
          if (!lenient) {
            v.add(FieldError.unknownField(path.child(e.getKey())));
          }
          continue;
        }
        present[i] = true;
        args[i] = shapes[i].bind(e.getValue(), path.child(names[i]), v);
      }
      for (int i = 0; i < names.length; i++) {
        if (!present[i]) {
          if (shapes[i].required) {
            v.add(FieldError.required(path.child(names[i])));
          }
          args[i] = shapes[i].absent();
        } else if (args[i] == null) {
          args[i] = shapes[i].absent();
        }
      }
      Object value;
      try {
        value = constructor.invokeWithArguments(args);
      } catch (IllegalArgumentException e) {
        v.add(FieldError.invalid(path, new Object(), e.getMessage()));
        return null;
      } catch (Throwable t) {
        throw new IllegalStateException("cannot construct " + type.getName(), t);
      }
      if (validatable && v.errorCount() == errorsBefore) {
        var old = v.enter(path);
        try {
          ((Validatable) value).validate(v);
        } finally {
          v.leave(old);
        }
      }
      return value;
    }
  }

  // ---------------------------------------------------------------- writing

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static JsonNode write(Object value) {
    return switch (value) {
      case null -> NODES.nullNode();
      case String s -> NODES.textNode(s);
      case Integer i -> NODES.numberNode(i);
      case Long l -> NODES.numberNode(l);
      case Double d -> NODES.numberNode(d);
      case Float f -> NODES.numberNode(f);
      case Boolean b -> NODES.booleanNode(b);
      case JsonNode n -> n;
      case Enum<?> e -> NODES.textNode(ENUMS.computeIfAbsent(e.getDeclaringClass(), EnumShape::new).nameOf.get(e));
      case List<?> list -> {
        ArrayNode a = NODES.arrayNode(list.size());
        for (var item : list) {
          a.add(write(item));
        }
        yield a;
      }
      case Map<?, ?> map -> {
        ObjectNode o = NODES.objectNode();
        for (var e : map.entrySet()) {
          o.set(String.valueOf(e.getKey()), write(e.getValue()));
        }
        yield o;
      }
      default -> {
        ScalarCodec codec = SCALARS.get(value.getClass());
        if (codec != null) {
          yield codec.toJson(value);
        }
        if (!value.getClass().isRecord()) {
          throw new IllegalArgumentException("cannot write " + value.getClass());
        }
        var shape = recordShape(value.getClass());
        ObjectNode o = NODES.objectNode();
        for (int i = 0; i < shape.names.length; i++) {
          Object field;
          try {
            field = shape.accessors[i].invoke(value);
          } catch (Throwable t) {
            throw new IllegalStateException(t);
          }
          if (field == null || (field instanceof List<?> l && l.isEmpty()) || (field instanceof Map<?, ?> m && m.isEmpty())) {
            continue;
          }
          o.set(shape.names[i], write(field));
        }
        yield o;
      }
    };
  }

  /** Durations: Go syntax, with an optional lower bound from {@link Constraints.MinDuration}. */
  private static final class DurationCodec implements ScalarCodec<Duration> {
    @Override
    public Duration fromJson(JsonNode node, FieldPath path, AnnotatedType type, Validation v) {
      var min = type.getAnnotation(Constraints.MinDuration.class);
      String text = node.isTextual() ? node.textValue() : null;
      Duration d = null;
      if (text != null) {
        try {
          d = Duration.parse(text);
        } catch (IllegalArgumentException e) {
          d = null;
        }
      }
      if (min != null) {
        var bound = Duration.parse(min.value());
        if (d == null || d.compareTo(bound) < 0) {
          v.add(FieldError.invalid(path, text != null ? text : new FieldError.Raw(node.toString()),
              "must be a valid duration greater than " + min.value()));
          return null;
        }
      } else if (d == null) {
        v.add(FieldError.invalid(path, text != null ? text : new FieldError.Raw(node.toString()),
            "must be a valid duration such as 1.5s, 300ms or 1m"));
        return null;
      } else if (d.nanos() < 0) {
        v.add(FieldError.invalid(path, text, "must not be negative"));
        return null;
      }
      return d;
    }

    @Override
    public JsonNode toJson(Duration value) {
      return NODES.textNode(value.text());
    }
  }
}
