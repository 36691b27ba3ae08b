package io.meshwork.config.gatewayapi;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshwork.config.schema.Constraints.Max;
import io.meshwork.config.schema.Constraints.MaxLength;
import io.meshwork.config.schema.Constraints.Min;
import io.meshwork.config.schema.Constraints.MinLength;
import io.meshwork.config.schema.Constraints.Pattern;
import io.meshwork.config.schema.Constraints.Required;
import io.meshwork.config.schema.Validatable;
import io.meshwork.config.schema.Validation;

/**
 * A processing step of an HTTPRoute rule or backend: the {@code type} names which one of the
 * other fields holds its configuration, and only that one may be set.
 */
public record HTTPRouteFilter(
    @Required Type type,
    HTTPHeaderFilter requestHeaderModifier,
    HTTPHeaderFilter responseHeaderModifier,
    HTTPRequestMirrorFilter requestMirror,
    HTTPRequestRedirectFilter requestRedirect,
    HTTPURLRewriteFilter urlRewrite,
    JsonNode cors,
    LocalObjectReference extensionRef) implements Validatable {

  /** The filter types. */
  public enum Type {
    RequestHeaderModifier,
    ResponseHeaderModifier,
    RequestMirror,
    RequestRedirect,
    URLRewrite,
    CORS,
    ExtensionRef
  }

  /**
   * Copies requests to another backend, ignoring its responses; all of them, or a percentage or
   * fraction.
   */
  public record HTTPRequestMirrorFilter(
      @Required BackendObjectReference backendRef,
      @Min(0) @Max(100) Integer percent,
      Fraction fraction) implements Validatable {
    @Override
    public void validate(Validation v) {
      if (percent != null && fraction != null) {
        v.invalidObject("Only one of percent or fraction may be specified in HTTPRequestMirrorFilter");
      }
    }
  }

  /** {@code numerator/denominator}, at most 1. */
  public record Fraction(@Required @Min(0) Integer numerator, @Min(1) Integer denominator) implements Validatable {
    @Override
    public void validate(Validation v) {
      int d = denominator == null ? 100 : denominator;
      if (numerator > d) {
        v.invalidObject("numerator must be less than or equal to denominator");
      }
    }
  }

  /**
   * Answers with a redirect instead of forwarding.
   *
   * @param statusCode 302 when absent
   */
  public record HTTPRequestRedirectFilter(
      Scheme scheme,
      @MinLength(1) @MaxLength(253) @Pattern(Names.PRECISE_HOSTNAME) String hostname,
      HTTPPathModifier path,
      @Min(1) @Max(65535) Integer port,
      Integer statusCode) implements Validatable {
    @Override
    public void validate(Validation v) {
      if (statusCode != null && statusCode != 301 && statusCode != 302 && statusCode != 303 && statusCode != 307 && statusCode != 308) {
        v.add(io.meshwork.config.schema.FieldError.unsupported(v.at("statusCode"), statusCode, java.util.List.of("301", "302", "303", "307", "308")));
      }
    }
  }

  /** A redirect's scheme. */
  public enum Scheme {
    http,
    https
  }

  /** Rewrites the Host header and/or the path before forwarding. */
  public record HTTPURLRewriteFilter(
      @MinLength(1) @MaxLength(253) @Pattern(Names.PRECISE_HOSTNAME) String hostname,
      HTTPPathModifier path) {}

  /** How a redirect or rewrite changes the path. */
  public enum PathModifierType {
    ReplaceFullPath,
    ReplacePrefixMatch
  }

  /** A path change: the whole path, or the part the rule's PathPrefix matched. */
  public record HTTPPathModifier(
      @Required PathModifierType type,
      @MaxLength(1024) String replaceFullPath,
      @MaxLength(1024) String replacePrefixMatch) implements Validatable {
    @Override
    public void validate(Validation v) {
      if (replaceFullPath != null && type != PathModifierType.ReplaceFullPath) {
        v.invalidObject("replaceFullPath must be specified when type is set to 'ReplaceFullPath'");
      }
      if (replaceFullPath == null && type == PathModifierType.ReplaceFullPath) {
        v.invalidObject("replaceFullPath must be specified when type is set to 'ReplaceFullPath'");
      }
      if (replacePrefixMatch != null && type != PathModifierType.ReplacePrefixMatch) {
        v.invalidObject("replacePrefixMatch must be specified when type is set to 'ReplacePrefixMatch'");
      }
      if (replacePrefixMatch == null && type == PathModifierType.ReplacePrefixMatch) {
        v.invalidObject("replacePrefixMatch must be specified when type is set to 'ReplacePrefixMatch'");
      }
    }
  }

  /** An implementation-specific filter resource in the route's namespace. */
  public record LocalObjectReference(
      @Required @MaxLength(253) @Pattern(Names.GROUP) String group,
      @Required @MinLength(1) @MaxLength(63) @Pattern(Names.KIND) String kind,
      @Required @MinLength(1) @MaxLength(253) String name) {}

  /** Whether this filter replaces the matched prefix (which needs exactly one PathPrefix match). */
  boolean replacesPrefixMatch() {
    var p = type == Type.URLRewrite && urlRewrite != null ? urlRewrite.path()
        : type == Type.RequestRedirect && requestRedirect != null ? requestRedirect.path() : null;
    return p != null && p.type() == PathModifierType.ReplacePrefixMatch;
  }

  @Override
  public void validate(Validation v) {
    RouteRules.oneConfig(v, "requestHeaderModifier", Type.RequestHeaderModifier, type, requestHeaderModifier);
    RouteRules.oneConfig(v, "responseHeaderModifier", Type.ResponseHeaderModifier, type, responseHeaderModifier);
    RouteRules.oneConfig(v, "requestMirror", Type.RequestMirror, type, requestMirror);
    RouteRules.oneConfig(v, "requestRedirect", Type.RequestRedirect, type, requestRedirect);
    RouteRules.oneConfig(v, "urlRewrite", Type.URLRewrite, type, urlRewrite);
    RouteRules.oneConfig(v, "cors", Type.CORS, type, cors);
    RouteRules.oneConfig(v, "extensionRef", Type.ExtensionRef, type, extensionRef);
  }
}
