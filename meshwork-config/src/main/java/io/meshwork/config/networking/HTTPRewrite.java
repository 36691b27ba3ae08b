package io.meshwork.config.networking;

import io.meshwork.config.schema.Validatable;
import io.meshwork.config.schema.Validation;

/** Rewrites the path (whole or by regex) and/or the authority before forwarding. */
public record HTTPRewrite(String uri, String authority, RegexRewrite uriRegexRewrite) implements Validatable {

  /** Replaces what {@code match} (RE2) matches in the path with {@code rewrite} ({@code \1} groups allowed). */
  public record RegexRewrite(String match, String rewrite) implements Validatable {
    @Override
    public void validate(Validation v) {
      if (match == null || match.isEmpty() || rewrite == null || rewrite.isEmpty()) {
        v.invalidObject("UriRegexRewrite requires both Rewrite and Match fields to be specified");
        return;
      }
      var err = NetRules.regexError(match);
      if (err != null) {
        v.invalid("match", match, err);
      }
    }
  }

  @Override
  public void validate(Validation v) {
    boolean hasUri = uri != null && !uri.isEmpty();
    if (hasUri && uriRegexRewrite != null) {
      v.invalidObject("rewrite may only contain one of URI or UriRegexRewrite");
    } else if (!hasUri && (authority == null || authority.isEmpty()) && uriRegexRewrite == null) {
      v.invalidObject("rewrite must specify at least one of URI, UriRegexRewrite, or authority");
    }
  }
}
