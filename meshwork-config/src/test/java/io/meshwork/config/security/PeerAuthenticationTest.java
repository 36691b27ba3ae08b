package io.meshwork.config.security;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PeerAuthenticationTest {
  private static final String V = "security.istio.io/v1";

  @Test
  void portLevelMtlsWithSelectorIsTyped() {
    var d = Docs.spec(V, "PeerAuthentication", """
        selector:
          matchLabels: {app: reviews}
        mtls: {mode: STRICT}
        portLevelMtls:
          "9080": {mode: PERMISSIVE}
        """);
    assertThat(d.errors()).isEmpty();
    var pa = d.resource().spec(PeerAuthentication.class);
    assertThat(pa.mtls().mode()).isEqualTo(PeerAuthentication.Mode.STRICT);
    assertThat(pa.portLevelMtls().get(9080).mode()).isEqualTo(PeerAuthentication.Mode.PERMISSIVE);
  }

  @Test
  void v1beta1IsAccepted() {
    assertThat(Docs.spec("security.istio.io/v1beta1", "PeerAuthentication", "mtls: {mode: DISABLE}\n").errors()).isEmpty();
  }

  @Test
  void portLevelMtlsNeedsASelectorWithLabels() {
    var d = Docs.spec(V, "PeerAuthentication", """
        selector: {}
        portLevelMtls:
          "80": {mode: STRICT}
        """);
    assertThat(d.errors()).containsExactly("spec: Invalid value: \"object\": portLevelMtls requires selector");
  }

  @Test
  void portsOutOfRangeAreRejected() {
    var d = Docs.spec(V, "PeerAuthentication", """
        selector: {matchLabels: {a: b}}
        portLevelMtls:
          "70000": {mode: STRICT}
        """);
    assertThat(d.errors()).containsExactly("spec.portLevelMtls[70000]: Invalid value: 70000: port must be between 1-65535");
  }

  @Test
  void unknownModeListsTheSupportedOnes() {
    var d = Docs.spec(V, "PeerAuthentication", "mtls: {mode: strict}\n");
    assertThat(d.errors()).containsExactly(
        "spec.mtls.mode: Unsupported value: \"strict\": supported values: \"UNSET\", \"DISABLE\", \"PERMISSIVE\", \"STRICT\"");
  }

  @Test
  void selectorLabelsMayNotUseWildcards() {
    var d = Docs.spec(V, "PeerAuthentication", "selector:\n  matchLabels: {app: \"rev*\", \"a*\": b}\n");
    assertThat(d.errors()).containsExactlyInAnyOrder(
        "spec.selector.matchLabels[app]: Invalid value: \"rev*\": wildcard not allowed in label value match",
        "spec.selector.matchLabels: Invalid value: \"object\": wildcard not allowed in label key match");
  }

  @Test
  void emptySelectorWarns() {
    var d = Docs.spec(V, "PeerAuthentication", "selector: {}\n");
    assertThat(d.errors()).isEmpty();
    assertThat(d.warnings()).anyMatch(w -> w.contains("workload selector specified without labels"));
  }
}
