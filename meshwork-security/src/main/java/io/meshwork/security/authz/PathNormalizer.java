package io.meshwork.security.authz;

/**
 * Normalizes a request path so {@code /public/../admin}, {@code /%61dmin}, {@code //admin} and
 * {@code /admin/.} all become {@code /admin} before a policy compares them. Steps, in Envoy's
 * order: cut the query and fragment; reject control characters and bad percent escapes; decode
 * percent-encoded unreserved characters ({@code A-Z a-z 0-9 - . _ ~}) and upper-case the hex of
 * the others (in {@link PathNormalization#DECODE_AND_MERGE_SLASHES} also {@code %2F} and
 * {@code %5C}); turn backslashes into slashes; resolve dot segments (RFC 3986 5.2.4, never above
 * the root); merge repeated slashes. Case is preserved: paths are case-sensitive. Decoding is a
 * single pass, so {@code %252F} stays {@code %252F} and is never decoded twice.
 */
public final class PathNormalizer {
  private PathNormalizer() {}

  /**
   * The normalized path without query or fragment, or null when the path is malformed (not
   * starting with {@code /}, a control character, or a {@code %} not followed by two hex digits):
   * such requests are rejected with 400 before authorization.
   */
  public static String normalize(String rawPath, PathNormalization mode) {
    if (rawPath == null || rawPath.isEmpty()) {
      return null;
    }
    int cut = rawPath.length();
    for (int i = 0; i < rawPath.length(); i++) {
      char c = rawPath.charAt(i);
      if (c == '?' || c == '#') {
        cut = i;
        break;
      }
    }
    var path = rawPath.substring(0, cut);
    if (path.isEmpty() || path.charAt(0) != '/') {
      return null;
    }
    for (int i = 0; i < path.length(); i++) {
      char c = path.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        return null;
      }
    }
    if (mode == PathNormalization.NONE) {
      return path;
    }
    var decoded = decode(path, mode == PathNormalization.DECODE_AND_MERGE_SLASHES);
    if (decoded == null) {
      return null;
    }
    var resolved = removeDotSegments(decoded.replace('\\', '/'));
    return mode == PathNormalization.BASE ? resolved : mergeSlashes(resolved);
  }

  /**
   * The request target to forward: the normalized path followed by the original query string
   * (untouched, since policies never look at it) and no fragment; null when the path is
   * malformed. The proxy forwards this so the application sees the path the policy judged.
   */
  public static String normalizeTarget(String rawTarget, PathNormalization mode) {
    var path = normalize(rawTarget, mode);
    if (path == null) {
      return null;
    }
    int q = rawTarget.indexOf('?');
    int f = rawTarget.indexOf('#');
    if (q < 0 || (f >= 0 && f < q)) {
      return path;
    }
    return path + rawTarget.substring(q, f > q ? f : rawTarget.length());
  }

  private static String decode(String path, boolean slashes) {
    var sb = new StringBuilder(path.length());
    for (int i = 0; i < path.length(); i++) {
      char c = path.charAt(i);
      if (c != '%') {
        sb.append(c);
        continue;
      }
      if (i + 2 >= path.length() || hex(path.charAt(i + 1)) < 0 || hex(path.charAt(i + 2)) < 0) {
        return null;
      }
      char d = (char) (hex(path.charAt(i + 1)) * 16 + hex(path.charAt(i + 2)));
      if (unreserved(d) || (slashes && (d == '/' || d == '\\'))) {
        sb.append(d);
      } else {
        sb.append('%').append(Character.toUpperCase(path.charAt(i + 1))).append(Character.toUpperCase(path.charAt(i + 2)));
      }
      i += 2;
    }
    return sb.toString();
  }

  private static boolean unreserved(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~';
  }

  private static int hex(char c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
      return c - 'A' + 10;
    }
    return -1;
  }

  /** RFC 3986 section 5.2.4 on an absolute path: {@code .} dropped, {@code ..} pops, never above the root. */
  static String removeDotSegments(String path) {
    var segments = path.substring(1).split("/", -1);
    var out = new java.util.ArrayList<String>();
    boolean trailingSlash = false;
    for (int i = 0; i < segments.length; i++) {
      var s = segments[i];
      boolean last = i == segments.length - 1;
      if (s.equals(".")) {
        trailingSlash = last;
      } else if (s.equals("..")) {
        if (!out.isEmpty()) {
          out.removeLast();
        }
        trailingSlash = last;
      } else {
        out.add(s);
        trailingSlash = false;
      }
    }
    var sb = new StringBuilder();
    for (var s : out) {
      sb.append('/').append(s);
    }
    if (trailingSlash || sb.isEmpty()) {
      sb.append('/');
    }
    return sb.toString();
  }

  private static String mergeSlashes(String path) {
    var sb = new StringBuilder(path.length());
    for (int i = 0; i < path.length(); i++) {
      char c = path.charAt(i);
      if (c == '/' && !sb.isEmpty() && sb.charAt(sb.length() - 1) == '/') {
        continue;
      }
      sb.append(c);
    }
    return sb.toString();
  }
}
