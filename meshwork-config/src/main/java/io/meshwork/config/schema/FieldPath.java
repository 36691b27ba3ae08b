package io.meshwork.config.schema;

/**
 * A Kubernetes-style field path ({@code spec.http[0].route[1].weight}, map keys as {@code [key]}).
 * Immutable; children share their parent.
 */
public final class FieldPath {
  private static final FieldPath ROOT = new FieldPath(null, "", -1, null);

  private final FieldPath parent;
  private final String name;
  private final int index;
  private final String key;

  private FieldPath(FieldPath parent, String name, int index, String key) {
    this.parent = parent;
    this.name = name;
    this.index = index;
    this.key = key;
  }

  public static FieldPath root() {
    return ROOT;
  }

  public static FieldPath of(String first, String... more) {
    var p = ROOT.child(first);
    for (var m : more) {
      p = p.child(m);
    }
    return p;
  }

  public FieldPath child(String field) {
    return new FieldPath(this, field, -1, null);
  }

  public FieldPath index(int i) {
    return new FieldPath(this, null, i, null);
  }

  public FieldPath key(String k) {
    return new FieldPath(this, null, -1, k);
  }

  public boolean isRoot() {
    return parent == null;
  }

  /** The last segment as written ({@code weight}, {@code [0]}, {@code [key]}). */
  public String last() {
    if (name != null) {
      return name;
    }
    return index >= 0 ? "[" + index + "]" : "[" + key + "]";
  }

  @Override
  public String toString() {
    if (parent == null) {
      return "";
    }
    var sb = new StringBuilder();
    append(sb);
    return sb.toString();
  }

  private void append(StringBuilder sb) {
    if (parent == null) {
      return;
    }
    parent.append(sb);
    if (name != null) {
      if (!sb.isEmpty()) {
        sb.append('.');
      }
      sb.append(name);
    } else if (index >= 0) {
      sb.append('[').append(index).append(']');
    } else {
      sb.append('[').append(key).append(']');
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof FieldPath p && p.toString().equals(toString());
  }

  @Override
  public int hashCode() {
    return toString().hashCode();
  }
}
