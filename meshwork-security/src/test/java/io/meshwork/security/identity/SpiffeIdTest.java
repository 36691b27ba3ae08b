package io.meshwork.security.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SpiffeIdTest {
  @Test
  void formatsBothForms() {
    var id = SpiffeId.of("default", "reviews");
    assertThat(id.uri()).isEqualTo("spiffe://cluster.local/ns/default/sa/reviews");
    assertThat(id.principal()).isEqualTo("cluster.local/ns/default/sa/reviews");
    assertThat(id.trustDomain()).isEqualTo("cluster.local");
  }

  @Test
  void parsesAndRoundTrips() {
    var id = SpiffeId.parse("spiffe://example.org/ns/shop/sa/cart");
    assertThat(id).isEqualTo(new SpiffeId("example.org", "shop", "cart"));
    assertThat(SpiffeId.parse(id.uri())).isEqualTo(id);
    assertThat(SpiffeId.parsePrincipal(id.principal())).isEqualTo(id);
    assertThat(id.withTrustDomain("td2").uri()).isEqualTo("spiffe://td2/ns/shop/sa/cart");
  }

  @Test
  void rejectsMalformed() {
    assertThatThrownBy(() -> SpiffeId.parse("https://cluster.local/ns/a/sa/b")).hasMessageContaining("must start with spiffe://");
    assertThatThrownBy(() -> SpiffeId.parse("spiffe://cluster.local/ns/a")).hasMessageContaining("<trust-domain>/ns/<namespace>/sa/<service-account>");
    assertThatThrownBy(() -> SpiffeId.parse("spiffe://cluster.local/sa/a/ns/b")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SpiffeId.parse("spiffe://cluster.local/ns//sa/b")).hasMessageContaining("namespace");
    assertThatThrownBy(() -> SpiffeId.parse("spiffe://cluster.local/ns/a/sa/b/extra")).isInstanceOf(IllegalArgumentException.class);
    assertThat(SpiffeId.isSpiffeId("spiffe://td/ns/a/sa/b")).isTrue();
    assertThat(SpiffeId.isSpiffeId("td/ns/a/sa/b")).isFalse();
  }
}
