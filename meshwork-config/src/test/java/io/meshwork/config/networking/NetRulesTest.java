package io.meshwork.config.networking;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The shared host, address, header, regex and Maglev helpers ({@link HostRules}, {@link NetRules}), checked directly at their edges. */
class NetRulesTest {

  @Test
  void wildcardDomainsFollowIstio() {
    assertThat(HostRules.checkWildcardDomain("reviews")).isNull();
    assertThat(HostRules.checkWildcardDomain("reviews.prod.svc.cluster.local")).isNull();
    assertThat(HostRules.checkWildcardDomain("*.example.com")).isNull();
    assertThat(HostRules.checkWildcardDomain("*")).isNull();
    assertThat(HostRules.checkWildcardDomain("*x")).isNull();
    assertThat(HostRules.checkWildcardDomain("istio.io.")).isNull();
    assertThat(HostRules.checkWildcardDomain("Mixed.Case.COM")).isNull();
    assertThat(HostRules.checkWildcardDomain("")).isEqualTo("empty domain name not allowed");
    assertThat(HostRules.checkWildcardDomain("a.*.com")).contains("label \"*\" invalid");
    assertThat(HostRules.checkWildcardDomain("foo*.com")).contains("a wildcard may only start the first label");
    assertThat(HostRules.checkWildcardDomain("a..b")).contains("label \"\" invalid");
    assertThat(HostRules.checkWildcardDomain("a.123")).contains("cannot be all-numeric");
    assertThat(HostRules.checkWildcardDomain("-a.com")).contains("label \"-a\" invalid");
    assertThat(HostRules.checkWildcardDomain("a".repeat(64) + ".com")).contains("invalid");
    assertThat(HostRules.checkWildcardDomain("a.".repeat(128) + "com")).contains("too long (max 255)");
    assertThat(HostRules.checkFqdn("*.example.com")).isNotNull();
  }

  @Test
  void namespaceSlashHosts() {
    assertThat(HostRules.checkNamespaceSlashHost("./foo.example.com", false)).isNull();
    assertThat(HostRules.checkNamespaceSlashHost("~/*", false)).isNull();
    assertThat(HostRules.checkNamespaceSlashHost("istio-system/*.example.com", true)).isNull();
    assertThat(HostRules.checkNamespaceSlashHost("foo.example.com", true)).isNull();
    assertThat(HostRules.checkNamespaceSlashHost("foo.example.com", false)).isEqualTo("host must be of form namespace/dnsName");
    assertThat(HostRules.checkNamespaceSlashHost("~/foo.example.com", true)).isEqualTo("invalid namespace value \"~\" in gateway");
    assertThat(HostRules.checkNamespaceSlashHost("ns/", false)).isEqualTo("config namespace and dnsName in host entry cannot be empty");
    assertThat(HostRules.checkNamespaceSlashHost("ns/foo", false)).isEqualTo("short names (non FQDN) are not allowed");
  }

  @Test
  void ipAddressesAndSubnets() {
    for (var ok : new String[] {"1.2.3.4", "255.255.255.255", "::", "::1", "2001:db8::1", "001:db8::", "fe80::1%eth0", "::ffff:1.2.3.4",
        "1:2:3:4:5:6:7:8"}) {
      assertThat(HostRules.isIp(ok)).as(ok).isTrue();
    }
    for (var bad : new String[] {"1.2.3", "256.1.1.1", "01.2.3.4", "1.2.3.4.5", "1:2:3:4:5:6:7:8:9", "1::2::3", ":1:2", "g::1", "", "a.com"}) {
      assertThat(HostRules.isIp(bad)).as(bad).isFalse();
    }
    assertThat(HostRules.isIpOrCidr("10.0.0.0/8")).isTrue();
    assertThat(HostRules.isIpOrCidr("2001:db8::/32")).isTrue();
    assertThat(HostRules.isIpOrCidr("10.0.0.0/33")).isFalse();
    assertThat(HostRules.isIpOrCidr("2001:db8::/129")).isFalse();
    assertThat(HostRules.isIpOrCidr("10.0.0.0/")).isFalse();
  }

  @Test
  void hostOverlapAndSubsets() {
    assertThat(HostRules.hostsOverlap("a.example.com", "*.example.com")).isTrue();
    assertThat(HostRules.hostsOverlap("*.example.com", "*.com")).isTrue();
    assertThat(HostRules.hostsOverlap("a.example.com", "b.example.com")).isFalse();
    assertThat(HostRules.hostSubsetOf("a.example.com", "*.example.com")).isTrue();
    assertThat(HostRules.hostSubsetOf("*.a.example.com", "*.example.com")).isTrue();
    assertThat(HostRules.hostSubsetOf("*.example.com", "a.example.com")).isFalse();
  }

  @Test
  void headerNamesAndValues() {
    assertThat(NetRules.headerNameError("x-request-id")).isNull();
    assertThat(NetRules.headerNameError("x.y")).isEqualTo("header name x.y is not a valid header name");
    assertThat(NetRules.headerValueError("plain")).isNull();
    assertThat(NetRules.headerValueError("%HOSTNAME%")).isNull();
    assertThat(NetRules.headerValueError("prefix %REQ(x-id)% suffix")).isNull();
    assertThat(NetRules.headerValueError("100%%")).isNull();
    assertThat(NetRules.headerValueError("abc%123")).contains("header value configuration");
    assertThat(NetRules.headerValueError("a\nb")).contains("control characters");
  }

  @Test
  void regexes() {
    assertThat(NetRules.regexError("^/api/v[0-9]+/.*$")).isNull();
    assertThat(NetRules.regexError("(?=lookahead)")).contains("is not a valid RE2 regular expression");
    assertThat(NetRules.regexError("a".repeat(1025))).isEqualTo("regex is too large, max length allowed is 1024");
  }

  @Test
  void maglevPrimalityMatchesEnvoy() {
    assertThat(LoadBalancerSettings.ConsistentHashLB.MagLev.isPrime(65537)).isTrue();
    assertThat(LoadBalancerSettings.ConsistentHashLB.MagLev.isPrime(1)).isTrue();
    assertThat(LoadBalancerSettings.ConsistentHashLB.MagLev.isPrime(65535)).isFalse();
    assertThat(LoadBalancerSettings.ConsistentHashLB.MagLev.isPrime(4)).isFalse();
  }
}
