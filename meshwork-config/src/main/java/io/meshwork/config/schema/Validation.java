package io.meshwork.config.schema;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Collects errors and warnings while a document is bound and validated, and knows where in the
 * document the record being validated sits. One instance per document; not thread-safe.
 */
public final class Validation {
  private final List<FieldError> errors = new ArrayList<>();
  private final List<String> warnings = new ArrayList<>();
  private final String kind;
  private final String namespace;
  private FieldPath path = FieldPath.root();

  public Validation(String kind, String namespace) {
    this.kind = kind;
    this.namespace = namespace;
  }

  /** The kind of the resource being validated (e.g. {@code VirtualService}). */
  public String kind() {
    return kind;
  }

  /** The namespace named in the resource's metadata, or null when it names none. */
  public String namespace() {
    return namespace;
  }

  /** Where the record being validated sits. */
  public FieldPath path() {
    return path;
  }

  /** The path of a field of the record being validated. */
  public FieldPath at(String field) {
    return path.child(field);
  }

  FieldPath enter(FieldPath p) {
    var old = path;
    path = p;
    return old;
  }

  void leave(FieldPath old) {
    path = old;
  }

  public void add(FieldError e) {
    errors.add(e);
  }

  public void required(String field) {
    add(FieldError.required(at(field)));
  }

  public void required(FieldPath p, String detail) {
    add(FieldError.required(p, detail));
  }

  public void invalid(String field, Object value, String detail) {
    add(FieldError.invalid(at(field), value, detail));
  }

  public void invalid(FieldPath p, Object value, String detail) {
    add(FieldError.invalid(p, value, detail));
  }

  /** A rule about the record as a whole (Kubernetes prints the value as {@code "object"}). */
  public void invalidObject(String detail) {
    add(FieldError.invalid(path, new Object(), detail));
  }

  public void forbidden(FieldPath p, String detail) {
    add(FieldError.forbidden(p, detail));
  }

  public void duplicate(FieldPath p, Object value) {
    add(FieldError.duplicate(p, value));
  }

  public void warn(FieldPath p, String message) {
    warnings.add(p.isRoot() ? message : p + ": " + message);
  }

  public void warn(String message) {
    warnings.add(message);
  }

  public int errorCount() {
    return errors.size();
  }

  public List<FieldError> errors() {
    return Collections.unmodifiableList(errors);
  }

  public List<String> warnings() {
    return Collections.unmodifiableList(warnings);
  }
}
