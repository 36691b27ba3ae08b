package io.meshwork.config.security;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meshwork.config.schema.Constraints.MaxLength;
import io.meshwork.config.schema.Constraints.MinDuration;
import io.meshwork.config.schema.Constraints.MinLength;
import io.meshwork.config.schema.Constraints.Pattern;
import io.meshwork.config.schema.Constraints.Required;
import io.meshwork.config.schema.Validatable;
import io.meshwork.config.schema.Validation;
import io.meshwork.config.types.Duration;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;

/**
 * One accepted JWT issuer: where its keys are ({@code jwksUri} fetched by the control plane, or
 * inline {@code jwks}), where tokens are looked for (headers, query parameters, cookies; the
 * {@code Authorization: Bearer} header and {@code access_token} parameter by default), and which
 * claims to copy into headers.
 */
public record JWTRule(
    @Required @MinLength(1) String issuer,
    List<@MinLength(1) String> audiences,
    @MaxLength(2048) String jwksUri,
    String jwks,
    List<JWTHeader> fromHeaders,
    List<@MinLength(1) String> fromParams,
    String outputPayloadToHeader,
    List<@MinLength(1) String> fromCookies,
    Boolean forwardOriginalToken,
    List<ClaimToHeader> outputClaimToHeaders,
    List<@MinLength(1) String> spaceDelimitedClaims,
    @MinDuration("1ms") Duration timeout) implements Validatable {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** A header carrying the token, with the prefix before it ({@code Bearer }). */
  public record JWTHeader(@Required @MinLength(1) String name, String prefix) {}

  /** Copies a claim of a valid token into a request header. */
  public record ClaimToHeader(
      @Required @MinLength(1) @Pattern("^[-_A-Za-z0-9]+$") String header,
      @Required @MinLength(1) @Pattern("^[-_A-Za-z0-9.]+$") String claim) {}

  @Override
  public void validate(Validation v) {
    if (jwksUri != null && !jwksUri.isEmpty()) {
      checkJwksUri(v);
    }
    if (jwks != null && !jwks.isEmpty()) {
      var problem = jwksProblem(jwks);
      if (problem != null) {
        v.invalid(v.at("jwks"), abbreviate(jwks), "jwks parse error: " + problem);
      }
      if (jwksUri != null && !jwksUri.isEmpty()) {
        v.warn(v.path(), "both jwks and jwksUri are set; only jwks is used");
      }
    }
    if (timeout != null && timeout.nanos() % 1_000_000L != 0) {
      v.invalid(v.at("timeout"), timeout.text(), "only durations to ms precision are supported");
    }
    if (outputPayloadToHeader != null && !outputPayloadToHeader.isEmpty() && !outputPayloadToHeader.matches("[-_A-Za-z0-9]+")) {
      v.invalid(v.at("outputPayloadToHeader"), outputPayloadToHeader, "must be a valid HTTP header name (letters, digits, '-' and '_')");
    }
  }

  private void checkJwksUri(Validation v) {
    int colon = jwksUri.indexOf("://");
    var scheme = colon < 0 ? "" : jwksUri.substring(0, colon).toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      v.invalid(v.at("jwksUri"), jwksUri, "url must have scheme http:// or https://");
      return;
    }
    try {
      var uri = new URI(jwksUri);
      if (uri.getHost() == null || uri.getHost().isEmpty()) {
        v.invalid(v.at("jwksUri"), jwksUri, "url must name a host, such as https://example.com/.well-known/jwks.json");
      }
    } catch (URISyntaxException e) {
      v.invalid(v.at("jwksUri"), jwksUri, "not a valid URL: " + e.getReason());
    }
  }

  /**
   * Null when {@code text} is a JSON Web Key Set ({@code {"keys": [...]}}) or a single key, each
   * key an object with a {@code kty}; otherwise the reason.
   */
  static String jwksProblem(String text) {
    JsonNode tree;
    try {
      tree = JSON.readTree(text);
    } catch (JsonProcessingException e) {
      return "not valid JSON (" + e.getOriginalMessage() + ")";
    }
    if (tree == null || !tree.isObject()) {
      return "must be a JSON object with a \"keys\" array";
    }
    if (tree.has("keys")) {
      var keys = tree.get("keys");
      if (!keys.isArray()) {
        return "\"keys\" must be an array of keys";
      }
      for (int i = 0; i < keys.size(); i++) {
        if (!keys.get(i).isObject() || !keys.get(i).path("kty").isTextual()) {
          return "key " + i + " must be an object with a \"kty\"";
        }
      }
      return null;
    }
    return tree.path("kty").isTextual() ? null : "must be a JSON object with a \"keys\" array";
  }

  private static String abbreviate(String s) {
    return s.length() > 60 ? s.substring(0, 60) + "..." : s;
  }
}
