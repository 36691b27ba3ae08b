package io.meshwork.kubernetes.install;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.meshwork.kubernetes.inject.ProxyEnv;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The namespace and the three workloads of an installation: the control plane (xDS 15010, CA
 * 15012, REST 15014, webhooks 15017 behind Service port 443), the console (20001) and the ingress
 * gateway (a proxy in gateway mode, selected by Istio Gateways with {@code istio: ingressgateway}).
 * Every pod runs as non-root with a read-only root filesystem and no added capabilities.
 */
final class Workloads {
  private Workloads() {}

  static List<HasMetadata> namespace(InstallOptions o) {
    // The control plane's own namespace is never injected.
    return List.of(new NamespaceBuilder().withNewMetadata().withName(o.namespace())
        .withLabels(ordered(Names.PART_OF, Names.MESHWORK, "istio-injection", "disabled")).endMetadata().build());
  }

  static List<HasMetadata> control(InstallOptions o) {
    var out = new ArrayList<HasMetadata>();
    out.add(serviceAccount(o, Names.CONTROL));
    var c = container(Names.CONTROL, o.controlImage(),
        List.of("control", "--kubernetes", "--address", "0.0.0.0", "--hub", o.hub(), "--tag", o.tag()),
        List.of(port("grpc-xds", 15010), port("grpc-ca", 15012), port("http-monitoring", 15014), port("https-webhook", Names.WEBHOOK_PORT)),
        "/metrics", 15014, "500m", "512Mi");
    out.add(deployment(o, Names.CONTROL, o.controlReplicas(), Names.CONTROL, c, Map.of()));
    out.add(service(o, Names.CONTROL, "ClusterIP", List.of(
        svcPort("grpc-xds", 15010, 15010), svcPort("grpc-ca", 15012, 15012), svcPort("http-monitoring", 15014, 15014),
        svcPort("https-webhook", 443, Names.WEBHOOK_PORT))));
    return out;
  }

  static List<HasMetadata> console(InstallOptions o) {
    var c = container(Names.CONSOLE, o.consoleImage(), List.of("console", "--bind", "0.0.0.0"),
        List.of(port("http", 20001), port("http-otlp", 4318), port("grpc-otlp", 4317), port("http-zipkin", 9411)),
        "/", 20001, "250m", "512Mi");
    return List.of(serviceAccount(o, Names.CONSOLE),
        deployment(o, Names.CONSOLE, 1, Names.CONSOLE, c, Map.of()),
        service(o, Names.CONSOLE, "ClusterIP", List.of(svcPort("http", 20001, 20001), svcPort("http-otlp", 4318, 4318),
            svcPort("grpc-otlp", 4317, 4317), svcPort("http-zipkin", 9411, 9411))));
  }

  static List<HasMetadata> gateway(InstallOptions o) {
    var args = List.of("proxy", "--gateway", "--control-plane", o.xdsAddress(), "--workload", Names.GATEWAY,
        "--namespace", o.namespace(), "--labels", "app=" + Names.GATEWAY + ",istio=ingressgateway",
        "--service-account", Names.GATEWAY, "--admin", "127.0.0.1:15000", "--health-port", "15021");
    // Ready once the proxy has its configuration (the health port follows the admin /ready), whether or
    // not a Gateway has opened a listener yet.
    var plain = container("istio-proxy", o.proxyImage(), args,
        List.of(port("http2", 8080), port("https", 8443), port("status-port", 15021), port("http-envoy-prom", 15090)),
        "/healthz/ready", 15021, "100m", "128Mi");
    // Its identity (mTLS to the services behind it), the way an injected sidecar gets one: see ProxyEnv.
    var c = new ContainerBuilder(plain)
        .addToEnv(new EnvVarBuilder().withName(ProxyEnv.CA_ADDRESS).withValue(o.caAddress()).build(),
            new EnvVarBuilder().withName(ProxyEnv.TOKEN_FILE).withValue(ProxyEnv.TOKEN_DIR + "/" + ProxyEnv.TOKEN_PATH).build(),
            new EnvVarBuilder().withName(ProxyEnv.CA_ROOT).withValue(ProxyEnv.ROOT_DIR + "/" + ProxyEnv.ROOT_KEY).build())
        .addNewVolumeMount().withName("meshwork-token").withMountPath(ProxyEnv.TOKEN_DIR).withReadOnly(true).endVolumeMount()
        .addNewVolumeMount().withName("meshwork-ca-root").withMountPath(ProxyEnv.ROOT_DIR).withReadOnly(true).endVolumeMount()
        .build();
    var gw = new DeploymentBuilder((io.fabric8.kubernetes.api.model.apps.Deployment) deployment(o, Names.GATEWAY, 1, Names.GATEWAY, c,
        Map.of("istio", "ingressgateway")))
        .editSpec().editTemplate().editSpec()
          .addNewVolume().withName("meshwork-token").withNewProjected().addNewSource().withNewServiceAccountToken()
            .withAudience(io.meshwork.security.ca.ServiceAccountTokenVerifier.DEFAULT_AUDIENCE).withExpirationSeconds(43200L)
            .withPath(ProxyEnv.TOKEN_PATH).endServiceAccountToken().endSource().endProjected().endVolume()
          .addNewVolume().withName("meshwork-ca-root").withNewConfigMap().withName(Names.ROOT_CERT_CONFIGMAP).endConfigMap().endVolume()
        .endSpec().endTemplate().endSpec().build();
    return List.of(serviceAccount(o, Names.GATEWAY), gw,
        new ServiceBuilder(service(o, Names.GATEWAY, "LoadBalancer", List.of(svcPort("http2", 80, 8080), svcPort("https", 443, 8443))))
            .editSpec().addToSelector("istio", "ingressgateway").endSpec()
            .editMetadata().addToLabels("istio", "ingressgateway").endMetadata().build());
  }

  private static HasMetadata serviceAccount(InstallOptions o, String name) {
    return new ServiceAccountBuilder().withNewMetadata().withName(name).withNamespace(o.namespace()).withLabels(labels(name)).endMetadata()
        .build();
  }

  private static Container container(String name, String image, List<String> args, List<ContainerPort> ports, String probePath,
      int probePort, String cpu, String memory) {
    var b = new ContainerBuilder().withName(name).withImage(image).withArgs(args).withPorts(ports)
        .withEnv(fieldEnv("POD_NAME", "metadata.name"), fieldEnv("POD_NAMESPACE", "metadata.namespace"),
            fieldEnv("INSTANCE_IP", "status.podIP"))
        .withNewResources().withRequests(new java.util.TreeMap<>(Map.of("cpu", new Quantity(cpu), "memory", new Quantity(memory)))).endResources()
        .withNewSecurityContext().withRunAsNonRoot(true).withRunAsUser(1337L).withRunAsGroup(1337L)
          .withAllowPrivilegeEscalation(false).withReadOnlyRootFilesystem(true)
          .withNewCapabilities().withDrop("ALL").endCapabilities()
        .endSecurityContext()
        .addNewVolumeMount().withName("tmp").withMountPath("/tmp").endVolumeMount();
    b.withNewReadinessProbe().withNewHttpGet().withPath(probePath).withPort(new IntOrString(probePort)).endHttpGet()
        .withPeriodSeconds(5).endReadinessProbe();
    return b.build();
  }

  private static HasMetadata deployment(InstallOptions o, String name, int replicas, String sa, Container c, Map<String, String> extra) {
    var podLabels = new LinkedHashMap<>(labels(name));
    podLabels.putAll(extra);
    return new DeploymentBuilder()
        .withNewMetadata().withName(name).withNamespace(o.namespace()).withLabels(labels(name)).endMetadata()
        .withNewSpec().withReplicas(replicas)
          .withNewSelector().withMatchLabels(Map.of("app", name)).endSelector()
          .withNewTemplate()
            .withNewMetadata().withLabels(podLabels).withAnnotations(Map.of("sidecar.istio.io/inject", "false")).endMetadata()
            .withNewSpec().withServiceAccountName(sa).withContainers(c)
              .addNewVolume().withName("tmp").withNewEmptyDir().endEmptyDir().endVolume()
            .endSpec()
          .endTemplate()
        .endSpec().build();
  }

  private static io.fabric8.kubernetes.api.model.Service service(InstallOptions o, String name, String type, List<ServicePort> ports) {
    return new ServiceBuilder().withNewMetadata().withName(name).withNamespace(o.namespace()).withLabels(labels(name)).endMetadata()
        .withNewSpec().withType(type).withSelector(Map.of("app", name)).withPorts(ports).endSpec().build();
  }

  /** Map.of's order changes from one JVM to the next; rendered YAML must not. */
  private static Map<String, String> ordered(String... kv) {
    var m = new LinkedHashMap<String, String>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put(kv[i], kv[i + 1]);
    }
    return m;
  }

  private static Map<String, String> labels(String app) {
    var m = new LinkedHashMap<String, String>();
    m.put("app", app);
    m.put(Names.PART_OF, Names.MESHWORK);
    return m;
  }

  private static ContainerPort port(String name, int n) {
    return new ContainerPortBuilder().withName(name).withContainerPort(n).withProtocol("TCP").build();
  }

  private static ServicePort svcPort(String name, int port, int target) {
    return new ServicePortBuilder().withName(name).withPort(port).withTargetPort(new IntOrString(target)).withProtocol("TCP").build();
  }

  private static EnvVar fieldEnv(String name, String path) {
    return new EnvVarBuilder().withName(name).withNewValueFrom().withNewFieldRef().withFieldPath(path).endFieldRef().endValueFrom().build();
  }
}
