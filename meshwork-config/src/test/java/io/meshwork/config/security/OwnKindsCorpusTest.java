package io.meshwork.config.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.config.codec.ConfigLoader;
import io.meshwork.config.corpus.TestData;
import java.io.IOException;
import java.nio.file.Files;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Every security, telemetry, Gateway API and Kubernetes document of Istio's known-good configs and
 * of the bookinfo samples is accepted (the shared KnownGoodCorpusTest stops at a file's first bad
 * document, which may be of another area's kind).
 */
class OwnKindsCorpusTest {
  private static final Set<String> OWN = Set.of("PeerAuthentication", "AuthorizationPolicy", "RequestAuthentication", "Telemetry",
      "HTTPRoute", "GRPCRoute", "GatewayClass", "ReferenceGrant", "Service", "ServiceAccount", "Deployment", "Pod", "Namespace");

  @Test
  void ownKindsInCorpusAreAccepted() throws IOException {
    var loader = ConfigLoader.create();
    int seen = 0;
    for (var dir : new String[] {"config", "bookinfo"}) {
      try (var files = Files.walk(TestData.istio(dir))) {
        for (var f : files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
          for (var d : loader.loadPath(f)) {
            boolean gatewayApi = d.source().text().contains("gateway.networking.k8s.io");
            if (d.kind() != null && (OWN.contains(d.kind()) || (gatewayApi && d.kind().equals("Gateway")))) {
              seen++;
              assertThat(d.errors()).as("%s %s", d.source().label(), d.title()).isEmpty();
            }
          }
        }
      }
    }
    // bookinfo.yaml alone has 4 Services, 4 ServiceAccounts and 6 Deployments; gateway-api adds a Gateway and HTTPRoutes.
    assertThat(seen).isGreaterThan(25);
  }
}
