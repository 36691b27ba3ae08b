package io.meshwork.config.types;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DnsTest {
  @Test
  void labels() {
    assertThat(Dns.isLabel("reviews-v1", false)).isTrue();
    assertThat(Dns.isLabel("a", false)).isTrue();
    assertThat(Dns.isLabel("Reviews", false)).isFalse();
    assertThat(Dns.isLabel("Reviews", true)).isTrue();
    assertThat(Dns.isLabel("-a", false)).isFalse();
    assertThat(Dns.isLabel("a-", false)).isFalse();
    assertThat(Dns.isLabel("a_b", false)).isFalse();
    assertThat(Dns.isLabel("", false)).isFalse();
    assertThat(Dns.isLabel("a".repeat(63), false)).isTrue();
    assertThat(Dns.isLabel("a".repeat(64), false)).isFalse();
  }

  @Test
  void subdomains() {
    assertThat(Dns.isSubdomain("reviews.default.svc")).isTrue();
    assertThat(Dns.isSubdomain("reviews..svc")).isFalse();
    assertThat(Dns.isSubdomain("reviews.")).isFalse();
    assertThat(Dns.isSubdomain(".reviews")).isFalse();
    assertThat(("a.".repeat(126) + "a").length()).isEqualTo(253);
    assertThat(Dns.isSubdomain("a.".repeat(126) + "a")).isTrue();
    assertThat(Dns.isSubdomain("ab.".repeat(84) + "ab")).isFalse();
  }
}
