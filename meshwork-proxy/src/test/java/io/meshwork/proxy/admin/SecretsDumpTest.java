package io.meshwork.proxy.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.proxy.mtls.SecretStore;
import org.junit.jupiter.api.Test;

/** The secrets section of {@code /config_dump} before a workload certificate exists. */
class SecretsDumpTest {
  @Test
  void aProxyWithoutIdentityHasNoSecretsAndOneWaitingForItsFirstCertificateShowsThemWarming() {
    assertThat(SecretsDump.of(null).getDynamicActiveSecretsCount()).isZero();
    var store = new SecretStore();
    assertThat(SecretsDump.of(store).getDynamicWarmingSecretsCount()).as("no agent: nothing to warm").isZero();
    store.markRequested();
    var dump = SecretsDump.of(store);
    assertThat(dump.getDynamicActiveSecretsCount()).isZero();
    assertThat(dump.getDynamicWarmingSecretsList()).extracting(s -> s.getName()).containsExactly("default", "ROOTCA");
  }
}
