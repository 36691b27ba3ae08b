package io.meshwork.proxy.config;

/**
 * Envoy's route {@code HeaderMatcher}: a string match on the header's (comma-joined) value, or a
 * presence test ({@code matcher == null}), optionally inverted.
 */
public record HeaderMatcher(String name, StringMatcher matcher, boolean presentMatch, boolean invert,
    boolean treatMissingAsEmpty) {
  public boolean matches(RequestHead req) {
    var value = req.header(name);
    if (value == null && treatMissingAsEmpty) {
      value = "";
    }
    boolean result;
    if (matcher == null) {
      result = (value != null) == presentMatch;
    } else {
      result = value != null && matcher.matches(value);
    }
    return result != invert;
  }
}
