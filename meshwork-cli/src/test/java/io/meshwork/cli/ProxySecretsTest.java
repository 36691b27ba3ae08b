package io.meshwork.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.config.codec.ConfigLoader;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The {@code proxy-config secret} table for secrets that are not active yet. */
class ProxySecretsTest {
  @Test
  void warmingSecretsAreListedWithoutCertificateDetails() throws Exception {
    var dump = ConfigLoader.JSON.readTree("""
        {"@type": "type.googleapis.com/envoy.admin.v3.SecretsConfigDump",
         "dynamic_warming_secrets": [
           {"name": "default", "secret": {"@type": "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret", "name": "default"}},
           {"name": "ROOTCA", "secret": {"@type": "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret", "name": "ROOTCA"}}]}
        """);
    var rows = ProxySecrets.table(dump, Instant.now());
    assertThat(rows).hasSize(3);
    assertThat(rows.get(1)).containsExactly("default", "-", "WARMING", "false", "-", "-", "-", "-");
    assertThat(rows.get(2)).containsExactly("ROOTCA", "-", "WARMING", "false", "-", "-", "-", "-");
    assertThat(ProxySecrets.table(ConfigLoader.JSON.createObjectNode(), Instant.now())).as("no secrets: the header only").hasSize(1);
  }
}
