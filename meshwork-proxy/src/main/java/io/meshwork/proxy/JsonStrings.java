package io.meshwork.proxy;

/**
 * Writes a JSON string literal (RFC 8259 escaping). The proxy's JSON writers (access logs, Zipkin
 * spans) build their output by hand on hot paths, without a JSON library's tree; they share this.
 */
public final class JsonStrings {
  private JsonStrings() {}

  /** Appends {@code s} to {@code sb} as a quoted, escaped JSON string. */
  public static void quote(StringBuilder sb, String s) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        default -> {
          if (c < 0x20) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    sb.append('"');
  }
}
