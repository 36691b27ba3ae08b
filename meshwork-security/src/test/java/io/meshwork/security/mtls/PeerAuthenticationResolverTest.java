package io.meshwork.security.mtls;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.config.codec.ConfigLoader;
import io.meshwork.config.security.PeerAuthentication.Mode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PeerAuthenticationResolverTest {
  private static final ConfigLoader LOADER = ConfigLoader.create();

  /** Loads PeerAuthentication documents separated by ---. */
  private static PeerAuthenticationResolver resolver(String yaml) {
    var out = new ArrayList<PeerPolicy>();
    for (var d : LOADER.loadText("pa.yaml", yaml)) {
      assertThat(d.errors()).isEmpty();
      out.add(PeerPolicy.of(d.resource()));
    }
    return PeerAuthenticationResolver.of("istio-system", out);
  }

  private static String pa(String ns, String name, String created, String spec) {
    return "apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata:\n  name: " + name + "\n  namespace: " + ns + "\n"
        + (created == null ? "" : "  creationTimestamp: \"" + created + "\"\n") + "spec:\n" + spec.stripIndent().indent(2) + "---\n";
  }

  @Test
  void defaultIsPermissive() {
    var e = resolver(pa("other", "x", null, "mtls: {mode: STRICT}\n")).resolve("default", Map.of("app", "a"));
    assertThat(e.mode()).isEqualTo(Mode.PERMISSIVE);
    assertThat(e.source()).isEqualTo("default");
  }

  @Test
  void workloadBeatsNamespaceBeatsMesh() {
    var r = resolver(pa("istio-system", "mesh", null, "mtls: {mode: STRICT}\n")
        + pa("shop", "ns", null, "mtls: {mode: PERMISSIVE}\n")
        + pa("shop", "legacy", null, """
            selector: {matchLabels: {app: legacy}}
            mtls: {mode: DISABLE}
            portLevelMtls:
              8443: {mode: STRICT}
              9000: {mode: UNSET}
            """));
    assertThat(r.resolve("bank", Map.of()).mode()).isEqualTo(Mode.STRICT);
    assertThat(r.resolve("bank", Map.of()).source()).isEqualTo("istio-system/mesh");
    assertThat(r.resolve("shop", Map.of("app", "cart")).mode()).isEqualTo(Mode.PERMISSIVE);
    var legacy = r.resolve("shop", Map.of("app", "legacy", "version", "v1"));
    assertThat(legacy.mode()).isEqualTo(Mode.DISABLE);
    assertThat(legacy.mode(8443)).isEqualTo(Mode.STRICT);
    assertThat(legacy.mode(9000)).isEqualTo(Mode.DISABLE);
    assertThat(legacy.mode(80)).isEqualTo(Mode.DISABLE);
    assertThat(legacy.source()).isEqualTo("shop/legacy");
  }

  @Test
  void unsetInheritsFromTheNextLevel() {
    var r = resolver(pa("istio-system", "mesh", null, "mtls: {mode: STRICT}\n")
        + pa("shop", "ns", null, "mtls: {mode: UNSET}\n")
        + pa("shop", "w", null, "selector: {matchLabels: {app: a}}\nportLevelMtls: {8080: {mode: PERMISSIVE}}\n"));
    var e = r.resolve("shop", Map.of("app", "a"));
    assertThat(e.mode()).isEqualTo(Mode.STRICT);
    assertThat(e.mode(8080)).isEqualTo(Mode.PERMISSIVE);
  }

  @Test
  void selectorPoliciesInTheRootNamespaceAreNotMeshWide() {
    var r = resolver(pa("istio-system", "gw", null, "selector: {matchLabels: {app: gw}}\nmtls: {mode: DISABLE}\n"));
    assertThat(r.resolve("shop", Map.of("app", "gw")).mode()).isEqualTo(Mode.PERMISSIVE);
    assertThat(r.resolve("istio-system", Map.of("app", "gw")).mode()).isEqualTo(Mode.DISABLE);
  }

  @Test
  void theOldestPolicyOfALevelWins() {
    var r = resolver(pa("shop", "b-newer", "2026-02-01T00:00:00Z", "mtls: {mode: DISABLE}\n")
        + pa("shop", "z-older", "2026-01-01T00:00:00Z", "mtls: {mode: STRICT}\n"));
    assertThat(r.resolve("shop", Map.of()).mode()).isEqualTo(Mode.STRICT);
    var byName = resolver(pa("shop", "b", null, "mtls: {mode: DISABLE}\n") + pa("shop", "a", null, "mtls: {mode: STRICT}\n"));
    assertThat(byName.resolve("shop", Map.of()).mode()).isEqualTo(Mode.STRICT);
    assertThat(List.of(byName.resolve("shop", Map.of()).source())).containsExactly("shop/a");
  }
}
