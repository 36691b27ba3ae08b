package io.meshwork.proxy.config;

import com.google.re2j.Pattern;
import java.util.Locale;

/** Envoy's {@code type.matcher.v3.StringMatcher}: exact, prefix, suffix, contains or RE2 regex. */
public record StringMatcher(Kind kind, String value, boolean ignoreCase, Pattern regex) {
  /** The comparison to apply. */
  public enum Kind { EXACT, PREFIX, SUFFIX, CONTAINS, REGEX }

  public static StringMatcher of(Kind kind, String value, boolean ignoreCase) {
    var v = ignoreCase ? value.toLowerCase(Locale.ROOT) : value;
    return new StringMatcher(kind, v, ignoreCase, kind == Kind.REGEX ? Pattern.compile(value) : null);
  }

  public boolean matches(String input) {
    if (input == null) {
      return false;
    }
    if (kind == Kind.REGEX) {
      return regex.matches(input);
    }
    var s = ignoreCase ? input.toLowerCase(Locale.ROOT) : input;
    return switch (kind) {
      case EXACT -> s.equals(value);
      case PREFIX -> s.startsWith(value);
      case SUFFIX -> s.endsWith(value);
      case CONTAINS -> s.contains(value);
      case REGEX -> throw new AssertionError();
    };
  }
}
