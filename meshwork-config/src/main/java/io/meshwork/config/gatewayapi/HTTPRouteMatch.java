package io.meshwork.config.gatewayapi;

import com.google.re2j.PatternSyntaxException;
import io.meshwork.config.schema.Constraints.MaxItems;
import io.meshwork.config.schema.Constraints.MaxLength;
import io.meshwork.config.schema.Constraints.MinLength;
import io.meshwork.config.schema.Constraints.Pattern;
import io.meshwork.config.schema.Constraints.Required;
import io.meshwork.config.schema.Validatable;
import io.meshwork.config.schema.Validation;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;

/**
 * What a request must look like for a rule to apply: path, headers, query parameters and method,
 * all of which must match. A match without a path matches the prefix {@code /}.
 */
public record HTTPRouteMatch(
    HTTPPathMatch path,
    @MaxItems(16) List<HTTPHeaderMatch> headers,
    @MaxItems(16) List<HTTPQueryParamMatch> queryParams,
    HTTPMethod method) implements Validatable {

  private static final com.google.re2j.Pattern PATH_CHARS =
      com.google.re2j.Pattern.compile("(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|[%][0-9a-fA-F]{2})+");

  /** How a path is compared. */
  public enum PathMatchType {
    Exact,
    PathPrefix,
    RegularExpression
  }

  /** How a header or query parameter value is compared. */
  public enum MatchType {
    Exact,
    RegularExpression
  }

  /** The HTTP methods Gateway API can match. */
  public enum HTTPMethod {
    GET,
    HEAD,
    POST,
    PUT,
    DELETE,
    CONNECT,
    OPTIONS,
    TRACE,
    PATCH
  }

  /**
   * A path match; {@code PathPrefix /} when absent.
   *
   * @param type PathPrefix when absent
   * @param value {@code /} when absent
   */
  public record HTTPPathMatch(PathMatchType type, @MaxLength(1024) String value) implements Validatable {

    public PathMatchType effectiveType() {
      return type == null ? PathMatchType.PathPrefix : type;
    }

    public String effectiveValue() {
      return value == null ? "/" : value;
    }

    @Override
    public void validate(Validation v) {
      var t = effectiveType();
      var s = effectiveValue();
      if (t == PathMatchType.RegularExpression) {
        checkRegex(v, s);
        return;
      }
      if (!s.startsWith("/")) {
        v.invalidObject("value must be an absolute path and start with '/' when type one of ['Exact', 'PathPrefix']");
      }
      if (s.contains("//")) {
        v.invalidObject("must not contain '//' when type one of ['Exact', 'PathPrefix']");
      }
      if (s.contains("/./")) {
        v.invalidObject("must not contain '/./' when type one of ['Exact', 'PathPrefix']");
      }
      if (s.contains("/../")) {
        v.invalidObject("must not contain '/../' when type one of ['Exact', 'PathPrefix']");
      }
      if (s.contains("%2f") || s.contains("%2F")) {
        v.invalidObject("must not contain '%2f' or '%2F' when type one of ['Exact', 'PathPrefix']");
      }
      if (s.contains("#")) {
        v.invalidObject("must not contain '#' when type one of ['Exact', 'PathPrefix']");
      }
      if (s.endsWith("/..")) {
        v.invalidObject("must not end with '/..' when type one of ['Exact', 'PathPrefix']");
      }
      if (s.endsWith("/.")) {
        v.invalidObject("must not end with '/.' when type one of ['Exact', 'PathPrefix']");
      }
      if (!PATH_CHARS.matches(s)) {
        v.invalidObject("must only contain valid characters (matching ^(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|[%][0-9a-fA-F]{2})+$) for types ['Exact', 'PathPrefix']");
      }
    }
  }

  /** A header match; names are case-insensitive. */
  public record HTTPHeaderMatch(
      MatchType type,
      @Required @MinLength(1) @MaxLength(256) @Pattern(Names.HEADER_NAME) String name,
      @Required @MinLength(1) @MaxLength(4096) String value) implements Validatable {
    @Override
    public void validate(Validation v) {
      if (type == MatchType.RegularExpression) {
        checkRegex(v, value);
      }
    }
  }

  /** A query parameter match; names are case-sensitive. */
  public record HTTPQueryParamMatch(
      MatchType type,
      @Required @MinLength(1) @MaxLength(256) @Pattern(Names.HEADER_NAME) String name,
      @Required @MinLength(1) @MaxLength(1024) String value) implements Validatable {
    @Override
    public void validate(Validation v) {
      if (type == MatchType.RegularExpression) {
        checkRegex(v, value);
      }
    }
  }

  static void checkRegex(Validation v, String value) {
    try {
      com.google.re2j.Pattern.compile(value);
    } catch (PatternSyntaxException e) {
      v.invalid(v.at("value"), value, "not a valid RE2 regular expression: " + e.getDescription());
    }
  }

  @Override
  public void validate(Validation v) {
    var names = new HashSet<String>();
    for (int i = 0; i < headers.size(); i++) {
      if (!names.add(headers.get(i).name().toLowerCase(Locale.ROOT))) {
        v.duplicate(v.at("headers").index(i).child("name"), headers.get(i).name());
      }
    }
    var params = new HashSet<String>();
    for (int i = 0; i < queryParams.size(); i++) {
      if (!params.add(queryParams.get(i).name())) {
        v.duplicate(v.at("queryParams").index(i).child("name"), queryParams.get(i).name());
      }
    }
  }
}
