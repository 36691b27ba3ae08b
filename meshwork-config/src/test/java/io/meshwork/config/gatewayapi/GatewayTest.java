package io.meshwork.config.gatewayapi;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.config.Kinds;
import io.meshwork.config.codec.LoadedDocument;
import io.meshwork.config.security.Docs;
import org.junit.jupiter.api.Test;

class GatewayTest {
  private static LoadedDocument gw(String spec) {
    return Docs.spec("gateway.networking.k8s.io/v1", "Gateway", spec);
  }

  @Test
  void gatewayBindsAndIsNotTheIstioGateway() {
    var d = gw("""
        gatewayClassName: istio
        listeners:
        - {name: http, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: All}}}
        - name: https
          hostname: "*.example.com"
          port: 443
          protocol: HTTPS
          tls: {certificateRefs: [{name: cert}]}
        """);
    assertThat(d.errors()).isEmpty();
    var g = d.resource().spec(Gateway.class);
    assertThat(g.listeners().get(1).tls().certificateRefs().getFirst().name()).isEqualTo("cert");
    assertThat(Kinds.byGroupKind("gateway.networking.k8s.io", "Gateway").specType()).isEqualTo(Gateway.class);
  }

  @Test
  void listenersAreRequiredAndUnique() {
    assertThat(gw("gatewayClassName: istio\n").errors()).containsExactly("spec.listeners: Required value");
    assertThat(gw("gatewayClassName: istio\nlisteners: []\n").errors()).singleElement().asString()
        .contains("spec.listeners in body should have at least 1 items");
    assertThat(gw("gatewayClassName: istio\nlisteners: [{name: a, port: 80, protocol: HTTP}, {name: a, port: 81, protocol: HTTP}]\n").errors())
        .containsExactly("spec.listeners: Invalid value: \"array\": Listener name must be unique within the Gateway");
    assertThat(gw("gatewayClassName: istio\nlisteners: [{name: a, port: 80, protocol: HTTP}, {name: b, port: 80, protocol: HTTP}]\n").errors())
        .containsExactly("spec.listeners: Invalid value: \"array\": Combination of port, protocol and hostname must be unique for each listener");
  }

  @Test
  void tlsAndHostnameRulesByProtocol() {
    assertThat(gw("gatewayClassName: istio\nlisteners: [{name: a, port: 80, protocol: HTTP, tls: {certificateRefs: [{name: c}]}}]\n").errors())
        .containsExactly("spec.listeners: Invalid value: \"array\": tls must not be specified for protocols ['HTTP', 'TCP', 'UDP']");
    assertThat(gw("gatewayClassName: istio\nlisteners: [{name: a, port: 443, protocol: HTTPS, tls: {mode: Passthrough}}]\n").errors())
        .containsExactly("spec.listeners: Invalid value: \"array\": tls mode must be Terminate for protocol HTTPS");
    assertThat(gw("gatewayClassName: istio\nlisteners: [{name: a, port: 443, protocol: HTTPS, tls: {}}]\n").errors())
        .containsExactly("spec.listeners[0].tls: Invalid value: \"object\": certificateRefs or options must be specified when mode is Terminate");
    assertThat(gw("gatewayClassName: istio\nlisteners: [{name: a, port: 9000, protocol: TCP, hostname: a.example.com}]\n").errors())
        .containsExactly("spec.listeners: Invalid value: \"array\": hostname must not be specified for protocols ['TCP', 'UDP']");
    assertThat(gw("gatewayClassName: istio\nlisteners: [{name: a, port: 70000, protocol: \"bad proto\"}]\n").errors()).hasSize(2);
    var noTls = gw("gatewayClassName: istio\nlisteners: [{name: a, port: 443, protocol: HTTPS}]\n");
    assertThat(noTls.errors()).isEmpty();
    assertThat(noTls.warnings()).anyMatch(w -> w.startsWith("spec.listeners[0]: a listener with protocol HTTPS and no tls settings"));
    assertThat(gw("gatewayClassName: istio\nlisteners: [{name: a, port: 80, protocol: HTTP}]\naddresses: [{value: 10.0.0.1}, {value: 10.0.0.1}]\n").errors())
        .containsExactly("spec.addresses: Invalid value: \"array\": IPAddress values must be unique");
  }

  @Test
  void grpcRouteMethodMatch() {
    var ok = Docs.spec("gateway.networking.k8s.io/v1", "GRPCRoute",
        "rules: [{matches: [{method: {service: helloworld.Greeter, method: SayHello}}], backendRefs: [{name: greeter, port: 50051}]}]\n");
    assertThat(ok.errors()).isEmpty();
    assertThat(Docs.spec("gateway.networking.k8s.io/v1", "GRPCRoute", "rules: [{matches: [{method: {type: Exact}}]}]\n").errors())
        .containsExactly("spec.rules[0].matches[0].method: Invalid value: \"object\": One or both of 'service' or 'method' must be specified");
    assertThat(Docs.spec("gateway.networking.k8s.io/v1", "GRPCRoute", "rules: [{matches: [{method: {method: \"Say/Hello\"}}]}]\n").errors())
        .containsExactly("spec.rules[0].matches[0].method: Invalid value: \"object\": method must only contain valid characters (matching ^[A-Za-z_][A-Za-z_0-9]*$)");
    assertThat(Docs.spec("gateway.networking.k8s.io/v1", "GRPCRoute", "rules: [{filters: [{type: URLRewrite}]}]\n").errors()).singleElement().asString()
        .startsWith("spec.rules[0].filters[0].type: Unsupported value: \"URLRewrite\"");
  }

  @Test
  void referenceGrantAndGatewayClass() {
    assertThat(Docs.spec("gateway.networking.k8s.io/v1beta1", "ReferenceGrant",
        "from: [{group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: web}]\nto: [{group: \"\", kind: Service}]\n").errors()).isEmpty();
    assertThat(Docs.spec("gateway.networking.k8s.io/v1beta1", "ReferenceGrant", "from: [{kind: HTTPRoute, namespace: web}]\nto: []\n").errors())
        .contains("spec.from[0].group: Required value");
    var gc = Docs.load("apiVersion: gateway.networking.k8s.io/v1\nkind: GatewayClass\nmetadata: {name: istio}\n"
        + "spec: {controllerName: istio.io/gateway-controller}\n");
    assertThat(gc.errors()).isEmpty();
    assertThat(gc.resource().namespace()).isEmpty();
    assertThat(Docs.load("apiVersion: gateway.networking.k8s.io/v1\nkind: GatewayClass\nmetadata: {name: x}\nspec: {controllerName: nocontroller}\n")
        .errors()).singleElement().asString().contains("spec.controllerName in body should match");
  }
}
