package io.meshwork.config.codec;

/**
 * Reads the few YAML forms that Go's YAML library (which kubectl and the Kubernetes API server use)
 * accepts differently from the YAML 1.2 grammar. Today one: a plain item of a flow sequence that
 * ends in {@code :}, as in {@code addresses: [1.2.3.4, 2001:db8::]}. YAML 1.2 reads the last colon
 * as a key indicator; Go reads the item as the string {@code 2001:db8::}, and so do we, by quoting
 * such items before parsing. Nothing else is touched.
 */
final class GoYamlCompat {
  private GoYamlCompat() {}

  static String rewrite(String text) {
    if (!text.contains(":]") && !text.contains(":,")) {
      return text;
    }
    var out = new StringBuilder(text.length() + 16);
    int lineStart = 0;
    while (lineStart < text.length()) {
      int end = text.indexOf('\n', lineStart);
      if (end < 0) {
        end = text.length();
      }
      out.append(rewriteLine(text.substring(lineStart, end)));
      if (end < text.length()) {
        out.append('\n');
      }
      lineStart = end + 1;
    }
    return out.toString();
  }

  /** Quotes items ending in ':' inside a one-line flow sequence without quotes or nested collections. */
  static String rewriteLine(String line) {
    int open = line.indexOf('[');
    int close = line.lastIndexOf(']');
    if (open < 0 || close < open) {
      return line;
    }
    var inner = line.substring(open + 1, close);
    if (inner.indexOf('[') >= 0 || inner.indexOf('{') >= 0 || inner.indexOf('"') >= 0 || inner.indexOf('\'') >= 0 || inner.indexOf('#') >= 0) {
      return line;
    }
    var items = inner.split(",", -1);
    boolean changed = false;
    for (int i = 0; i < items.length; i++) {
      var item = items[i].strip();
      if (item.length() > 1 && item.endsWith(":")) {
        items[i] = items[i].replace(item, "'" + item + "'");
        changed = true;
      }
    }
    return changed ? line.substring(0, open + 1) + String.join(",", items) + line.substring(close) : line;
  }
}
