package io.meshwork.config.networking;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.config.Kinds;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NetworkingKindsTest {
  private static final String VS = "kind: VirtualService\nmetadata: {name: r}\nspec:\n  hosts: [r]\n  http:\n  - route:\n    - destination: {host: r}\n";

  @ParameterizedTest
  @ValueSource(strings = {"v1", "v1beta1", "v1alpha3"})
  void everyServedVersionIsAccepted(String version) {
    var doc = Docs.load("apiVersion: networking.istio.io/" + version + "\n" + VS);
    assertThat(doc.errors()).isEmpty();
    assertThat(doc.resource().spec()).isInstanceOf(VirtualService.class);
  }

  @Test
  void otherVersionsAreRejected() {
    assertThat(Docs.load("apiVersion: networking.istio.io/v2\n" + VS).errors())
        .anyMatch(e -> e.contains("apiVersion: Unsupported value: \"networking.istio.io/v2\""));
  }

  @Test
  void v1IsPreferredAndPluralsAreRegistered() {
    for (var k : NetworkingKinds.ALL) {
      assertThat(Kinds.byGroupKind(k.group(), k.kind())).isSameAs(k);
      assertThat(Kinds.byGroupPlural(k.group(), k.plural())).isSameAs(k);
    }
    assertThat(NetworkingKinds.DESTINATION_RULE.apiVersion()).isEqualTo("networking.istio.io/v1");
    assertThat(Kinds.byUserName("se")).isSameAs(NetworkingKinds.SERVICE_ENTRY);
  }

  @Test
  void envoyFilterProxyConfigAndWasmPluginAreRecognisedButUnsupported() {
    for (var yaml : new String[] {
        "apiVersion: networking.istio.io/v1alpha3\nkind: EnvoyFilter\nmetadata: {name: f}\nspec: {configPatches: []}\n",
        "apiVersion: networking.istio.io/v1beta1\nkind: ProxyConfig\nmetadata: {name: p}\nspec: {concurrency: 2}\n",
        "apiVersion: extensions.istio.io/v1alpha1\nkind: WasmPlugin\nmetadata: {name: w}\nspec: {url: oci://x}\n"}) {
      var doc = Docs.load(yaml);
      assertThat(doc.errors()).isEmpty();
      assertThat(doc.warnings()).anyMatch(w -> w.contains("not supported by Meshwork"));
    }
  }

  @Test
  void unknownFieldsAreRejected() {
    assertThat(Docs.errors("VirtualService", "hosts: [r]\nhttp:\n- route:\n  - destination: {host: r}\n    wieght: 5\n"))
        .contains("spec.http[0].route[0].wieght: Unknown field: not a field of this kind; check its spelling and the kind's API version");
  }

  @Test
  void obsoleteWebsocketUpgradeIsAcceptedWithAWarning() {
    var doc = Docs.load(Docs.doc("VirtualService", "hosts: [r]\nhttp:\n- route:\n  - destination: {host: r}\n  websocketUpgrade: true\n"));
    assertThat(doc.errors()).isEmpty();
    assertThat(doc.warnings()).anyMatch(w -> w.contains("spec.http[0].websocketUpgrade") && w.contains("obsolete"));
  }
}
