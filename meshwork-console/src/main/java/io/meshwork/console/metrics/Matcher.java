package io.meshwork.console.metrics;

/** A label matcher, {@code label="value"} or {@code label!="value"} in PromQL. */
public record Matcher(String label, String value, boolean equal) {
  public static Matcher eq(String label, String value) {
    return new Matcher(label, value, true);
  }

  public static Matcher ne(String label, String value) {
    return new Matcher(label, value, false);
  }

  boolean test(String actual) {
    String a = actual == null ? "" : actual;
    return equal == a.equals(value);
  }

  /** PromQL spelling, with the value escaped. */
  public String promql() {
    return label + (equal ? "=" : "!=") + '"' + value.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
  }
}
