package io.meshwork.config.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.config.codec.ConfigLoader;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Each analyzer: a broken input gives its finding (code, severity, path), the fixed input does not. */
class AnalysisTest {
  static final String PLATFORM = """
      apiVersion: v1
      kind: Service
      metadata: {name: reviews, namespace: default}
      spec:
        selector: {app: reviews}
        ports: [{name: http, port: 9080}]
      ---
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: reviews-v1, namespace: default}
      spec:
        selector: {matchLabels: {app: reviews, version: v1}}
        template:
          metadata: {labels: {app: reviews, version: v1}}
          spec:
            serviceAccountName: bookinfo-reviews
            containers: [{name: reviews, image: reviews:v1}]
      ---
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: reviews-v2, namespace: default}
      spec:
        selector: {matchLabels: {app: reviews, version: v2}}
        template:
          metadata: {labels: {app: reviews, version: v2}}
          spec:
            serviceAccountName: bookinfo-reviews
            containers: [{name: reviews, image: reviews:v2}]
      ---
      apiVersion: networking.istio.io/v1
      kind: DestinationRule
      metadata: {name: reviews, namespace: default}
      spec:
        host: reviews
        subsets:
        - {name: v1, labels: {version: v1}}
        - {name: v2, labels: {version: v2}}
      """;

  static List<Finding> analyze(String... yaml) {
    var docs = ConfigLoader.create().loadText("test.yaml", String.join("---\n", yaml));
    return Analysis.run(docs);
  }

  static String vs(String name, String body) {
    return "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: " + name + ", namespace: default}\nspec:\n" + body;
  }

  static List<Finding> of(List<Finding> findings, Code code) {
    return findings.stream().filter(f -> f.code() == code).toList();
  }

  @Test
  void aConsistentInputHasNoFinding() {
    var findings = analyze(PLATFORM, vs("reviews", """
          hosts: [reviews]
          http:
          - match: [{headers: {end-user: {exact: jason}}}]
            route: [{destination: {host: reviews, subset: v2}}]
          - route: [{destination: {host: reviews.default.svc.cluster.local, subset: v1}}]
        """));
    assertThat(findings).isEmpty();
  }

  @Test
  void destinationHostNotFoundIsAnError() {
    var findings = analyze(PLATFORM, vs("r", "  hosts: [reviews]\n  http:\n  - route: [{destination: {host: reveiws}}]\n"));
    var f = of(findings, Code.REFERENCED_HOST_NOT_FOUND);
    assertThat(f).hasSize(1);
    assertThat(f.getFirst().severity()).isEqualTo(Severity.ERROR);
    assertThat(f.getFirst().path()).isEqualTo("spec.http[0].route[0].destination.host");
    assertThat(f.getFirst().message()).contains("reveiws.default.svc.cluster.local");
  }

  @Test
  void aHostInANamespaceTheInputSaysNothingAboutIsOnlyAWarning() {
    var findings = analyze(PLATFORM, vs("r", "  hosts: [reviews]\n  http:\n  - route: [{destination: {host: auth.other.svc.cluster.local}}]\n"));
    var f = of(findings, Code.REFERENCED_HOST_NOT_FOUND);
    assertThat(f).singleElement().extracting(Finding::severity).isEqualTo(Severity.WARNING);
  }

  @Test
  void serviceEntryHostsAndWildcardsAreFound() {
    var se = """
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata: {name: ext, namespace: default}
        spec:
          hosts: ["*.example.com"]
          ports: [{number: 443, name: https, protocol: TLS}]
          resolution: NONE
          location: MESH_EXTERNAL
        """;
    var findings = analyze(PLATFORM, se, vs("r", "  hosts: [api.example.com]\n  tls:\n  - match: [{sniHosts: [api.example.com]}]\n    route: [{destination: {host: api.example.com}}]\n"));
    assertThat(of(findings, Code.REFERENCED_HOST_NOT_FOUND)).isEmpty();
  }

  @Test
  void undefinedSubsetIsAnError() {
    var findings = analyze(PLATFORM, vs("r", "  hosts: [reviews]\n  http:\n  - route: [{destination: {host: reviews, subset: v3}}]\n"));
    assertThat(of(findings, Code.SUBSET_NOT_FOUND)).singleElement().satisfies(f -> {
      assertThat(f.severity()).isEqualTo(Severity.ERROR);
      assertThat(f.path()).isEqualTo("spec.http[0].route[0].destination.subset");
    });
  }

  @Test
  void missingGatewayIsAnError() {
    var findings = analyze(PLATFORM, vs("r", "  hosts: [reviews]\n  gateways: [mesh, bookinfo-gateway]\n  http:\n  - route: [{destination: {host: reviews}}]\n"));
    assertThat(of(findings, Code.GATEWAY_NOT_FOUND)).singleElement()
        .satisfies(f -> assertThat(f.path()).isEqualTo("spec.gateways[1]"));
  }

  @Test
  void twoVirtualServicesForOneHostConflict() {
    var findings = analyze(PLATFORM,
        vs("a", "  hosts: [reviews]\n  http:\n  - route: [{destination: {host: reviews, subset: v1}}]\n"),
        vs("b", "  hosts: [reviews.default.svc.cluster.local]\n  http:\n  - route: [{destination: {host: reviews, subset: v2}}]\n"));
    assertThat(of(findings, Code.CONFLICTING_VIRTUAL_SERVICES)).hasSize(2).allMatch(f -> f.severity() == Severity.ERROR);
  }

  @Test
  void twoDestinationRulesForOneHostConflict() {
    var findings = analyze(PLATFORM, """
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: reviews-lb, namespace: default}
        spec:
          host: reviews.default.svc.cluster.local
          trafficPolicy: {loadBalancer: {simple: RANDOM}}
        """);
    assertThat(of(findings, Code.CONFLICTING_DESTINATION_RULES)).hasSize(2).allMatch(f -> f.severity() == Severity.WARNING);
  }

  @Test
  void routesAfterACatchAllAndRepeatedMatchesAreUnreachable() {
    var findings = analyze(PLATFORM, vs("r", """
          hosts: [reviews]
          http:
          - match: [{uri: {prefix: /api}}]
            route: [{destination: {host: reviews, subset: v2}}]
          - match: [{uri: {prefix: /api}, name: again}]
            route: [{destination: {host: reviews, subset: v1}}]
          - match: [{uri: {prefix: /}}]
            route: [{destination: {host: reviews, subset: v1}}]
          - route: [{destination: {host: reviews, subset: v2}}]
        """));
    assertThat(of(findings, Code.UNREACHABLE_ROUTE)).extracting(Finding::path)
        .containsExactlyInAnyOrder("spec.http[1].match[0]", "spec.http[3]");
  }

  @Test
  void mtlsModesThatCannotTalkAreAnError() {
    var pa = """
        apiVersion: security.istio.io/v1
        kind: PeerAuthentication
        metadata: {name: default, namespace: istio-system}
        spec: {mtls: {mode: STRICT}}
        """;
    var dr = """
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: reviews, namespace: default}
        spec:
          host: reviews
          trafficPolicy: {tls: {mode: DISABLE}}
          subsets:
          - {name: v1, labels: {version: v1}}
        """;
    var findings = analyze(PLATFORM, pa, dr);
    assertThat(of(findings, Code.MTLS_CONFLICT)).singleElement().satisfies(f -> {
      assertThat(f.severity()).isEqualTo(Severity.ERROR);
      assertThat(f.path()).isEqualTo("spec.trafficPolicy.tls.mode");
    });
    var permissive = pa.replace("STRICT", "PERMISSIVE");
    assertThat(of(analyze(PLATFORM, permissive, dr), Code.MTLS_CONFLICT)).isEmpty();
    var workloadDisable = """
        apiVersion: security.istio.io/v1
        kind: PeerAuthentication
        metadata: {name: reviews-off, namespace: default}
        spec: {selector: {matchLabels: {app: reviews}}, mtls: {mode: DISABLE}}
        """;
    var mutual = dr.replace("DISABLE", "ISTIO_MUTUAL");
    assertThat(of(analyze(PLATFORM, pa, workloadDisable, mutual), Code.MTLS_CONFLICT)).singleElement()
        .satisfies(f -> assertThat(f.message()).contains("ISTIO_MUTUAL").contains("DISABLE"));
  }

  @Test
  void authorizationPolicyWithUnknownNamespaceOrServiceAccountIsAWarning() {
    var ap = """
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata: {name: allow, namespace: default}
        spec:
          selector: {matchLabels: {app: reviews}}
          rules:
          - from:
            - source:
                principals: [cluster.local/ns/default/sa/bookinfo-reviews, cluster.local/ns/default/sa/nobody, "*/ns/x/sa/y"]
                namespaces: [default, prodd]
        """;
    var findings = analyze(PLATFORM, ap);
    assertThat(of(findings, Code.UNKNOWN_SERVICE_ACCOUNT)).singleElement()
        .satisfies(f -> assertThat(f.path()).isEqualTo("spec.rules[0].from[0].source.principals[1]"));
    assertThat(of(findings, Code.UNKNOWN_NAMESPACE)).singleElement()
        .satisfies(f -> assertThat(f.path()).isEqualTo("spec.rules[0].from[0].source.namespaces[1]"));
  }

  @Test
  void portNamesWithoutAProtocolAreInfo() {
    var svc = """
        apiVersion: v1
        kind: Service
        metadata: {name: db, namespace: default}
        spec:
          selector: {app: db}
          ports: [{name: postgres, port: 5432}, {name: tcp-pg, port: 5433}, {name: pg, port: 5434, appProtocol: postgresql}]
        """;
    var f = of(analyze(svc), Code.PORT_NAME_CONVENTION);
    assertThat(f).singleElement().satisfies(x -> {
      assertThat(x.severity()).isEqualTo(Severity.INFO);
      assertThat(x.path()).isEqualTo("spec.ports[0].name");
    });
  }

  @Test
  void selectorsAndSubsetsThatSelectNothingAreWarnings() {
    var pa = """
        apiVersion: security.istio.io/v1
        kind: PeerAuthentication
        metadata: {name: p, namespace: default}
        spec: {selector: {matchLabels: {app: ratings}}, mtls: {mode: STRICT}}
        """;
    var dr = """
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: reviews, namespace: default}
        spec:
          host: reviews
          subsets:
          - {name: v1, labels: {version: v1}}
          - {name: v9, labels: {version: v9}}
        """;
    var findings = analyze(PLATFORM, pa, dr);
    assertThat(of(findings, Code.SELECTOR_MATCHES_NOTHING)).singleElement()
        .satisfies(f -> assertThat(f.resource().kind()).isEqualTo("PeerAuthentication"));
    assertThat(of(findings, Code.SUBSET_SELECTS_NO_WORKLOAD)).singleElement()
        .satisfies(f -> assertThat(f.path()).isEqualTo("spec.subsets[1].labels"));
  }

  @Test
  void invalidDocumentsBecomeErrorFindingsAndLaterDocumentsReplaceEarlierOnes() {
    var broken = vs("bad", "  hosts: reviews\n  http:\n  - route: [{destination: {host: reviews}}]\n");
    var first = vs("r", "  hosts: [reviews]\n  http:\n  - route: [{destination: {host: nowhere}}]\n");
    var second = vs("r", "  hosts: [reviews]\n  http:\n  - route: [{destination: {host: reviews}}]\n");
    var findings = analyze(PLATFORM, broken, first, second);
    assertThat(of(findings, Code.SCHEMA_VALIDATION_ERROR)).isNotEmpty().allMatch(f -> f.severity() == Severity.ERROR);
    assertThat(of(findings, Code.RESOURCE_REPLACED)).singleElement().satisfies(f -> assertThat(f.message()).contains("test.yaml#5 is replaced by test.yaml#6"));
    assertThat(of(findings, Code.REFERENCED_HOST_NOT_FOUND)).isEmpty();
  }
}
