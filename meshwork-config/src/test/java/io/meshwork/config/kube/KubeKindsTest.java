package io.meshwork.config.kube;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.config.security.Docs;
import io.meshwork.config.types.IntOrString;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KubeKindsTest {
  @Test
  void serviceWithNamedAndNumericTargetPorts() {
    var d = Docs.load("""
        apiVersion: v1
        kind: Service
        metadata: {name: reviews, labels: {app: reviews}}
        spec:
          selector: {app: reviews}
          ports:
          - {name: http, port: 9080, targetPort: http-web, appProtocol: http}
          - {name: grpc, port: 9090, targetPort: 9091, protocol: TCP}
        status: {loadBalancer: {}}
        """);
    assertThat(d.errors()).isEmpty();
    var spec = d.resource().spec(ServiceSpec.class);
    assertThat(spec.ports().get(0).targetPort()).isEqualTo(IntOrString.of("http-web"));
    assertThat(spec.ports().get(1).targetPort()).isEqualTo(IntOrString.of(9091));
    // written back in the shape it was read in: numbers stay numbers
    assertThat(d.resource().toJson().at("/spec/ports/1/targetPort").isInt()).isTrue();
    assertThat(d.resource().toJson().at("/spec/ports/0/targetPort").textValue()).isEqualTo("http-web");
  }

  @Test
  void servicePortRules() {
    var d = Docs.load("""
        apiVersion: v1
        kind: Service
        metadata: {name: s}
        spec:
          ports:
          - {port: 80, targetPort: 0}
          - {port: 81, targetPort: "Not_A_Name"}
          - {name: x, port: 82, targetPort: true}
          - {name: y, port: 83, protocol: HTTP}
        """);
    assertThat(d.errors()).containsExactlyInAnyOrder(
        "spec.ports[0].targetPort: Invalid value: 0: must be between 1 and 65535, inclusive",
        "spec.ports[1].targetPort: Invalid value: \"Not_A_Name\": must be a port number or a port name of at most 15 lowercase letters, digits and '-' with at least one letter",
        "spec.ports[3].protocol: Unsupported value: \"HTTP\": supported values: \"TCP\", \"UDP\", \"SCTP\"",
        "spec.ports[2].targetPort: Invalid value: \"boolean\": spec.ports[2].targetPort in body must be of type integer or string: \"boolean\"");
    var unnamed = Docs.load("apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  ports: [{port: 80}, {port: 81}]\n");
    assertThat(unnamed.errors()).containsExactly(
        "spec.ports[0].name: Required value: every port of a Service with several ports needs a name",
        "spec.ports[1].name: Required value: every port of a Service with several ports needs a name");
    assertThat(Docs.load("apiVersion: v1\nkind: Service\nmetadata: {name: s}\n").errors())
        .containsExactly("spec.ports: Required value: a Service needs at least one port (or clusterIP: None)");
  }

  @Test
  void deploymentSelectorMustMatchTemplate() {
    var ok = Docs.load("""
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: reviews-v1}
        spec:
          replicas: 2
          selector: {matchLabels: {app: reviews, version: v1}}
          template:
            metadata: {labels: {app: reviews, version: v1}}
            spec:
              serviceAccountName: bookinfo-reviews
              containers:
              - name: reviews
                image: docker.io/istio/examples-bookinfo-reviews-v1:1.20.3
                ports: [{containerPort: 9080}]
                env: [{name: LOG_DIR, value: /tmp/logs}]
                readinessProbe: {httpGet: {path: /health, port: 9080}}
        """);
    assertThat(ok.errors()).isEmpty();
    var spec = ok.resource().spec(DeploymentSpec.class);
    assertThat(spec.effectiveReplicas()).isEqualTo(2);
    assertThat(spec.template().spec().effectiveServiceAccount()).isEqualTo("bookinfo-reviews");
    assertThat(spec.template().spec().containers().getFirst().readinessProbe().httpGet().port()).isEqualTo(IntOrString.of(9080));

    var bad = Docs.load("""
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: d}
        spec:
          selector: {matchLabels: {app: a}}
          template:
            metadata: {labels: {app: b}}
            spec: {containers: [{name: c, image: i}]}
        """);
    assertThat(bad.errors()).singleElement().asString().endsWith("`selector` does not match template `labels`");
  }

  @Test
  void podStatusIsKeptAndReadinessDerived() {
    var d = Docs.load("""
        apiVersion: v1
        kind: Pod
        metadata: {name: p, namespace: bookinfo, labels: {app: ratings}}
        spec:
          containers: [{name: ratings, image: r}]
        status:
          phase: Running
          podIP: 10.1.2.3
          conditions: [{type: Ready, status: "True"}]
        """);
    assertThat(d.errors()).isEmpty();
    var pod = d.resource().spec(Pod.class);
    assertThat(pod.status().podIP()).isEqualTo("10.1.2.3");
    assertThat(pod.status().ready()).isTrue();
    assertThat(pod.spec().effectiveServiceAccount()).isEqualTo("default");
    assertThat(Docs.load("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n").errors()).containsExactly("spec: Required value");
    assertThat(Docs.load("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: []}\n").errors())
        .containsExactly("spec.containers: Required value: a pod needs at least one container");
  }

  @Test
  void serviceAccountAndNamespace() {
    var sa = Docs.load("apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: bookinfo-details}\nautomountServiceAccountToken: false\n");
    assertThat(sa.errors()).isEmpty();
    assertThat(sa.resource().spec(ServiceAccount.class).automountServiceAccountToken()).isFalse();
    assertThat(sa.resource().toJson().get("automountServiceAccountToken").booleanValue()).isFalse();

    var ns = Docs.load("apiVersion: v1\nkind: Namespace\nmetadata: {name: bookinfo, labels: {istio-injection: enabled}}\n");
    assertThat(ns.errors()).isEmpty();
    assertThat(ns.resource().namespace()).isEmpty();
    assertThat(ns.resource().metadata().labels()).containsEntry("istio-injection", "enabled");
  }

  @Test
  void labelSelectorExpressions() {
    var sel = new LabelSelector(Map.of("app", "a"),
        java.util.List.of(new LabelSelector.Requirement("version", LabelSelector.Operator.In, java.util.List.of("v1", "v2")),
            new LabelSelector.Requirement("canary", LabelSelector.Operator.DoesNotExist, java.util.List.of())));
    assertThat(sel.matches(Map.of("app", "a", "version", "v2"))).isTrue();
    assertThat(sel.matches(Map.of("app", "a", "version", "v3"))).isFalse();
    assertThat(sel.matches(Map.of("app", "a", "version", "v1", "canary", "yes"))).isFalse();
  }
}
