package io.meshwork.proxy.config;

import com.google.re2j.Pattern;

/** The path part of a route match: exactly one of Envoy's path specifiers. */
public sealed interface PathMatcher {
  boolean matches(String path);

  /** {@code prefix}: the path starts with the value. */
  record Prefix(String prefix, boolean caseSensitive) implements PathMatcher {
    @Override
    public boolean matches(String path) {
      return path.regionMatches(!caseSensitive, 0, prefix, 0, prefix.length());
    }
  }

  /** {@code path}: the whole path equals the value. */
  record Exact(String path, boolean caseSensitive) implements PathMatcher {
    @Override
    public boolean matches(String p) {
      return caseSensitive ? p.equals(path) : p.equalsIgnoreCase(path);
    }
  }

  /** {@code safe_regex}: RE2 over the whole path (not a search). */
  record Regex(Pattern pattern) implements PathMatcher {
    @Override
    public boolean matches(String path) {
      return pattern.matches(path);
    }
  }

  /**
   * {@code path_separated_prefix}: the prefix followed by end of path or '/' ({@code /api} matches
   * {@code /api} and {@code /api/x}, not {@code /apis}).
   */
  record SeparatedPrefix(String prefix, boolean caseSensitive) implements PathMatcher {
    @Override
    public boolean matches(String path) {
      if (!path.regionMatches(!caseSensitive, 0, prefix, 0, prefix.length())) {
        return false;
      }
      return path.length() == prefix.length() || path.charAt(prefix.length()) == '/';
    }
  }
}
