package io.meshwork.config.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.config.codec.LoadedDocument;
import org.junit.jupiter.api.Test;

class RequestAuthenticationTest {
  private static LoadedDocument ra(String spec) {
    return Docs.spec("security.istio.io/v1", "RequestAuthentication", spec);
  }

  @Test
  void fullRuleBinds() {
    var d = ra("""
        selector: {matchLabels: {app: productpage}}
        jwtRules:
        - issuer: https://issuer.example.com
          audiences: [bookinfo]
          jwks: '{"keys":[{"kty":"RSA","e":"AQAB","n":"abc"}]}'
          fromHeaders: [{name: x-jwt, prefix: "Bearer "}]
          fromParams: [token]
          forwardOriginalToken: true
          outputClaimToHeaders: [{header: x-sub, claim: sub}]
          timeout: 3s
        """);
    assertThat(d.errors()).isEmpty();
    var rule = d.resource().spec(RequestAuthentication.class).jwtRules().getFirst();
    assertThat(rule.timeout().toMillis()).isEqualTo(3000);
    assertThat(rule.fromHeaders().getFirst().prefix()).isEqualTo("Bearer ");
  }

  @Test
  void issuerIsRequired() {
    assertThat(ra("jwtRules: [{jwksUri: \"https://a/jwks\"}]\n").errors()).containsExactly("spec.jwtRules[0].issuer: Required value");
  }

  @Test
  void jwksUriNeedsHttpScheme() {
    assertThat(ra("jwtRules: [{issuer: a, jwksUri: \"ftp://a/jwks\"}]\n").errors())
        .containsExactly("spec.jwtRules[0].jwksUri: Invalid value: \"ftp://a/jwks\": url must have scheme http:// or https://");
    assertThat(ra("jwtRules: [{issuer: a, jwksUri: \"https:///jwks\"}]\n").errors()).singleElement().asString()
        .contains("url must name a host");
  }

  @Test
  void inlineJwksMustBeAKeySet() {
    assertThat(ra("jwtRules: [{issuer: a, jwks: \"{not json\"}]\n").errors()).singleElement().asString()
        .startsWith("spec.jwtRules[0].jwks: Invalid value: \"{not json\": jwks parse error: not valid JSON");
    assertThat(ra("jwtRules: [{issuer: a, jwks: '{\"keys\":[{\"n\":\"x\"}]}'}]\n").errors()).singleElement().asString()
        .endsWith("jwks parse error: key 0 must be an object with a \"kty\"");
    assertThat(ra("jwtRules: [{issuer: a, jwks: '{\"kty\":\"EC\",\"crv\":\"P-256\"}'}]\n").errors()).isEmpty();
  }

  @Test
  void timeoutAtLeastOneMillisecond() {
    assertThat(ra("jwtRules: [{issuer: a, timeout: 100us}]\n").errors())
        .containsExactly("spec.jwtRules[0].timeout: Invalid value: \"100us\": must be a valid duration greater than 1ms");
    assertThat(ra("jwtRules: [{issuer: a, timeout: 1500us}]\n").errors())
        .containsExactly("spec.jwtRules[0].timeout: Invalid value: \"1500us\": only durations to ms precision are supported");
  }

  @Test
  void claimHeadersAreHeaderNames() {
    assertThat(ra("jwtRules: [{issuer: a, outputClaimToHeaders: [{header: \"x y\", claim: sub}]}]\n").errors()).singleElement().asString()
        .contains("spec.jwtRules[0].outputClaimToHeaders[0].header in body should match");
    assertThat(ra("jwtRules: [{issuer: a, outputPayloadToHeader: \"x:y\"}]\n").errors()).singleElement().asString()
        .contains("must be a valid HTTP header name");
  }
}
