package io.meshwork.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.meshwork.config.codec.ConfigLoader;
import io.meshwork.control.ControlPlane;
import io.meshwork.control.ca.CaSettings;
import io.meshwork.kubernetes.KubernetesMode;
import io.meshwork.kubernetes.inject.InjectorConfig;
import io.meshwork.kubernetes.inject.ProxyEnv;
import io.meshwork.kubernetes.inject.SidecarInjector;
import io.meshwork.kubernetes.install.Installer;
import io.meshwork.kubernetes.install.InstallOptions;
import io.meshwork.kubernetes.install.Manifests;
import io.meshwork.kubernetes.install.Names;
import io.meshwork.proxy.mtls.GrpcCertificateTransport;
import io.meshwork.proxy.mtls.SecretStore;
import io.meshwork.proxy.mtls.WorkloadAgent;
import io.meshwork.security.agent.CsrBuilder;
import io.meshwork.security.ca.CaOptions;
import io.meshwork.security.identity.SpiffeId;
import io.meshwork.security.pki.KeyAlgorithm;
import io.meshwork.security.pki.Pem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * An injected proxy's identity in Kubernetes mode, from the injector's template to a certificate:
 * the control plane runs {@code --kubernetes} against fabric8's mock API server (CRUD for objects,
 * plus a TokenReview endpoint that answers as a real API server does: a token is authenticated only
 * for the audience it was minted for). The reviews-v1 pod of bookinfo is injected; the proxy
 * container's args and environment (downward API resolved, as the kubelet does) go through
 * {@code meshwork proxy}'s own parser, and the proxy's certificate agent, reading the files the pod's
 * volumes would hold, asks the CA on 15012 for a certificate.
 */
class InjectedProxyIdentityTest {
  static final String REVIEWS = "spiffe://cluster.local/ns/bookinfo/sa/bookinfo-reviews";
  /** The tokens the mock API server knows, minted for audience istio-ca, and whose they are. */
  static final Map<String, String> TOKENS = Map.of(
      "reviews-token", "system:serviceaccount:bookinfo:bookinfo-reviews",
      "productpage-token", "system:serviceaccount:bookinfo:bookinfo-productpage");
  /** A valid token, but minted for the API server's audience only (what a pod's default token is). */
  static final String API_AUDIENCE_TOKEN = "api-audience-token";

  @TempDir static Path dir;
  static KubernetesMockServer server;
  static KubernetesClient admin;
  static ControlPlane cp;
  static KubernetesMode mode;
  static final List<String> reviewedAudiences = new java.util.concurrent.CopyOnWriteArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    var responses = new HashMap<ServerRequest, Queue<ServerResponse>>();
    server = new KubernetesMockServer(new Context(), new MockWebServer(), responses, new KubernetesMixedDispatcher(responses), false);
    server.init();
    admin = server.createClient();
    server.expect().post().withPath("/apis/authentication.k8s.io/v1/tokenreviews").andReply(201, req -> review(req.getUtf8Body())).always();
    new Installer(admin, l -> {}).apply(Manifests.render(InstallOptions.defaults()));
    admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("bookinfo")
        .withLabels(Map.of("istio-injection", "enabled")).endMetadata().build()).create();
    var kubeconfig = dir.resolve("kubeconfig");
    Files.writeString(kubeconfig, """
        apiVersion: v1
        kind: Config
        clusters: [{name: mock, cluster: {server: "%s"}}]
        users: [{name: mock, user: {token: test}}]
        contexts: [{name: mock, context: {cluster: mock, user: mock, namespace: default}}]
        current-context: mock
        """.formatted(admin.getMasterUrl()));
    // What 'meshwork control --kubernetes' does: control plane without a local CA, the cluster connection, then the CA from it.
    cp = ControlPlane.start(ControlPlane.Options.defaults().withPorts(0, 0), null);
    mode = KubernetesMode.start(cp.store(), new KubernetesMode.Options(kubeconfig, InstallOptions.defaults(), "meshwork-system", "127.0.0.1",
        0, dir.resolve("ca"), CaOptions.defaults(), Duration.ofSeconds(30)), m -> {});
    cp.startCa("127.0.0.1", new CaSettings(dir.resolve("unused-state"), 0, "cluster.local", null, null, null, null,
        KubernetesMode.serviceNames("meshwork-system")), mode);
  }

  @AfterAll
  static void stop() throws Exception {
    if (mode != null) {
      mode.close();
    }
    if (cp != null) {
      cp.close();
    }
    admin.close();
    server.destroy();
  }

  /** The API server's TokenReview: authenticated only for a known token and the audience it was minted for. */
  static String review(String body) {
    try {
      var req = (ObjectNode) ConfigLoader.JSON.readTree(body);
      var token = req.path("spec").path("token").asText();
      var auds = new ArrayList<String>();
      req.path("spec").path("audiences").forEach(a -> auds.add(a.asText()));
      reviewedAudiences.addAll(auds);
      var status = req.putObject("status");
      var user = TOKENS.get(token);
      if (user != null && auds.contains("istio-ca")) {
        status.put("authenticated", true);
        status.putObject("user").put("username", user);
        status.putArray("audiences").add("istio-ca");
      } else if (token.equals(API_AUDIENCE_TOKEN)) {
        status.put("authenticated", false);
        status.put("error", "[invalid bearer token, token audiences [\"https://kubernetes.default.svc\"] is invalid for the target audiences "
            + auds + "]");
      } else {
        status.put("authenticated", false);
        status.put("error", "[invalid bearer token, square/go-jose: error in cryptographic primitive]");
      }
      return req.toString();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** The shared corpora (surefire sets meshwork.testdata). */
  static Path testdata() {
    var p = System.getProperty("meshwork.testdata");
    return p != null ? Path.of(p) : Path.of("..", "..", "shared", "testdata");
  }

  /** bookinfo's reviews-v1 pod as the ReplicaSet controller creates it, injected as the webhook would. */
  static ObjectNode injectedReviewsPod() throws Exception {
    var items = admin.load(Files.newInputStream(testdata().resolve("istio/bookinfo/platform/bookinfo.yaml"))).items();
    var d = items.stream().filter(Deployment.class::isInstance).map(Deployment.class::cast)
        .filter(x -> x.getMetadata().getName().equals("reviews-v1")).findFirst().orElseThrow();
    var pod = (ObjectNode) ConfigLoader.JSON.readTree(admin.getKubernetesSerialization().asJson(d.getSpec().getTemplate()));
    pod.put("apiVersion", "v1").put("kind", "Pod");
    var md = (ObjectNode) pod.path("metadata");
    md.put("name", "reviews-v1-5b6f7c9d4-x2k9d").put("namespace", "bookinfo");
    return new SidecarInjector(InjectorConfig.of(InstallOptions.defaults(), 30)).inject(pod, "bookinfo");
  }

  static JsonNode container(JsonNode pod, String name) {
    for (var list : List.of("initContainers", "containers")) {
      for (var c : pod.path("spec").path(list)) {
        if (c.path("name").asText().equals(name)) {
          return c;
        }
      }
    }
    throw new AssertionError("no container " + name);
  }

  /** The container's environment as the kubelet gives it: literal values, downward API fields resolved. */
  static Map<String, String> kubeletEnv(JsonNode pod, JsonNode c) {
    var fields = Map.of("metadata.name", pod.path("metadata").path("name").asText(),
        "metadata.namespace", pod.path("metadata").path("namespace").asText(),
        "status.podIP", "10.1.2.3",
        "spec.serviceAccountName", pod.path("spec").path("serviceAccountName").asText());
    var env = new LinkedHashMap<String, String>();
    for (var e : c.path("env")) {
      var path = e.path("valueFrom").path("fieldRef").path("fieldPath");
      env.put(e.path("name").asText(), path.isMissingNode() ? e.path("value").asText() : fields.get(path.asText()));
    }
    return env;
  }

  /** The args with {@code $(VAR)} expanded from the container's environment, less the subcommand name. */
  static String[] kubeletArgs(JsonNode c, Map<String, String> env) {
    var out = new ArrayList<String>();
    var ref = Pattern.compile("\\$\\(([A-Z_]+)\\)");
    for (var a : c.path("args")) {
      var m = ref.matcher(a.asText());
      out.add(m.replaceAll(r -> Matcher.quoteReplacement(env.getOrDefault(r.group(1), r.group()))));
    }
    assertThat(out.getFirst()).isEqualTo("proxy");
    return out.subList(1, out.size()).toArray(String[]::new);
  }

  /** The pod's volume mounted (in container {@code c}) at a directory holding {@code file}, and the file's name in it. */
  static Map.Entry<JsonNode, String> volumeHolding(JsonNode pod, JsonNode c, String file) {
    for (var m : c.path("volumeMounts")) {
      var mount = m.path("mountPath").asText();
      if (file.startsWith(mount + "/")) {
        for (var v : pod.path("spec").path("volumes")) {
          if (v.path("name").asText().equals(m.path("name").asText())) {
            return Map.entry(v, file.substring(mount.length() + 1));
          }
        }
      }
    }
    throw new AssertionError(file + " is in no volume mounted into " + c.path("name").asText());
  }

  /** Plays the kubelet's volume mounts: the pod's files under {@code root}, the env pointing there. */
  static Map<String, String> mountedEnv(Map<String, String> env, Path root, String token) throws Exception {
    var out = new LinkedHashMap<>(env);
    var tokenFile = root.resolve(env.get(ProxyEnv.TOKEN_FILE).substring(1));
    Files.createDirectories(tokenFile.getParent());
    Files.writeString(tokenFile, token);
    var rootFile = root.resolve(env.get(ProxyEnv.CA_ROOT).substring(1));
    Files.createDirectories(rootFile.getParent());
    Files.writeString(rootFile, publishedRoot("bookinfo"));
    out.put(ProxyEnv.TOKEN_FILE, tokenFile.toString());
    out.put(ProxyEnv.CA_ROOT, rootFile.toString());
    return out;
  }

  /** The root ConfigMap's content in {@code namespace}, once the control plane has written it. */
  static String publishedRoot(String namespace) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (true) {
      var cm = admin.configMaps().inNamespace(namespace).withName(Names.ROOT_CERT_CONFIGMAP).get();
      if (cm != null) {
        return cm.getData().get(ProxyEnv.ROOT_KEY);
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("no ConfigMap " + Names.ROOT_CERT_CONFIGMAP + " in " + namespace);
      }
      Thread.sleep(50);
    }
  }

  static ProxyCommand parse(String[] args, Map<String, String> env) {
    var cmd = new ProxyCommand();
    new CommandLine(cmd).parseArgs(args);
    cmd.environment = env;
    return cmd;
  }

  @Test
  void theInjectedTemplateAndTheProxyCommandAgree() throws Exception {
    var pod = injectedReviewsPod();
    var proxy = container(pod, SidecarInjector.PROXY);
    var env = kubeletEnv(pod, proxy);

    // The token file is the projected ServiceAccount token, minted for the audience the CA reviews.
    var token = volumeHolding(pod, proxy, env.get(ProxyEnv.TOKEN_FILE));
    var sat = token.getKey().path("projected").path("sources").get(0).path("serviceAccountToken");
    assertThat(sat.path("audience").asText()).isEqualTo("istio-ca");
    assertThat(sat.path("path").asText()).isEqualTo(token.getValue());
    // The root file is the ConfigMap the control plane wrote into the pod's namespace, holding the CA's root.
    var root = volumeHolding(pod, proxy, env.get(ProxyEnv.CA_ROOT));
    assertThat(root.getKey().path("configMap").path("name").asText()).isEqualTo(Names.ROOT_CERT_CONFIGMAP);
    assertThat(publishedRoot("bookinfo")).isEqualTo(Pem.encode(mode.authority().root()));
    var rootCm = admin.configMaps().inNamespace("bookinfo").withName(Names.ROOT_CERT_CONFIGMAP).get();
    assertThat(rootCm.getData()).containsKey(root.getValue());
    // The CA address is the control plane Service, on a port it exposes; the CA's serving certificate names it.
    var ca = env.get(ProxyEnv.CA_ADDRESS);
    var host = ca.substring(0, ca.lastIndexOf(':'));
    int port = Integer.parseInt(ca.substring(ca.lastIndexOf(':') + 1));
    assertThat(KubernetesMode.serviceNames("meshwork-system")).contains(host);
    var svc = admin.services().inNamespace("meshwork-system").withName(Names.CONTROL).get();
    assertThat(svc.getSpec().getPorts()).anyMatch(p -> p.getPort() == port && p.getTargetPort().getIntVal() == 15012);

    // meshwork proxy's parser takes every injected arg; with the pod's environment it asks for the pod's identity.
    var cmd = parse(kubeletArgs(proxy, env), mountedEnv(env, dir.resolve("agree"), "reviews-token"));
    var o = cmd.identityOptions();
    assertThat(o).as("an identity from the injected environment").isNotNull();
    assertThat(o.identity().uri()).isEqualTo(REVIEWS);
    assertThat(o.caAddress()).isEqualTo(ca);
    assertThat(o.joinTokenFile()).isEqualTo(dir.resolve("agree").resolve(env.get(ProxyEnv.TOKEN_FILE).substring(1)));
    assertThat(o.caRootFile()).isEqualTo(dir.resolve("agree").resolve(env.get(ProxyEnv.CA_ROOT).substring(1)));
    assertThat(cmd.controlPlane).isEqualTo(InstallOptions.defaults().xdsAddress());
    assertThat(cmd.workload).isEqualTo("reviews-v1-5b6f7c9d4-x2k9d");
    assertThat(cmd.ip).isEqualTo("10.1.2.3");
    // The proxy listens where the init container redirects to, in the same mode.
    var initArgs = container(pod, SidecarInjector.INIT).path("args").toString();
    assertThat(initArgs).contains("\"-m\",\"" + cmd.capture + "\"", "\"-p\",\"15001\"", "\"-z\",\"15006\"");
    assertThat(cmd.healthPort).isEqualTo(15021);

    // Without that environment (and no flags) there is no identity; a pod missing its token volume is one sentence.
    assertThat(parse(kubeletArgs(proxy, env), Map.of()).identityOptions()).isNull();
    // (env still names the in-pod path, which does not exist on this machine: a pod without the token volume.)
    assertThatThrownBy(() -> parse(kubeletArgs(proxy, env), env).identityOptions())
        .isInstanceOf(UserException.class).hasMessageContaining(ProxyEnv.TOKEN_FILE).hasMessageContaining("projected ServiceAccount token");
  }

  @Test
  void theInstalledGatewayGetsItsIdentityTheSameWay() throws Exception {
    var ser = admin.getKubernetesSerialization();
    var gw = Manifests.render(InstallOptions.defaults()).stream().filter(Deployment.class::isInstance).map(Deployment.class::cast)
        .filter(d -> d.getMetadata().getName().equals(Names.GATEWAY)).findFirst().orElseThrow();
    var pod = (ObjectNode) ConfigLoader.JSON.readTree(ser.asJson(gw.getSpec().getTemplate()));
    ((ObjectNode) pod.path("metadata")).put("name", "meshwork-ingressgateway-7d9f-abcde").put("namespace", "meshwork-system");
    var proxy = container(pod, "istio-proxy");
    var env = kubeletEnv(pod, proxy);
    var sat = volumeHolding(pod, proxy, env.get(ProxyEnv.TOKEN_FILE)).getKey().path("projected").path("sources").get(0)
        .path("serviceAccountToken");
    assertThat(sat.path("audience").asText()).isEqualTo("istio-ca");
    assertThat(volumeHolding(pod, proxy, env.get(ProxyEnv.CA_ROOT)).getKey().path("configMap").path("name").asText())
        .isEqualTo(Names.ROOT_CERT_CONFIGMAP);
    assertThat(publishedRoot("meshwork-system")).isEqualTo(Pem.encode(mode.authority().root()));
    var mounted = mountedEnv(env, dir.resolve("gateway"), "unused");
    var o = parse(kubeletArgs(proxy, env), mounted).identityOptions();
    // The identity it asks for is the one its pod's token proves: the Deployment's ServiceAccount in its namespace.
    assertThat(o.identity().uri()).isEqualTo("spiffe://cluster.local/ns/meshwork-system/sa/" + gw.getSpec().getTemplate().getSpec()
        .getServiceAccountName());
    assertThat(o.caAddress()).isEqualTo(InstallOptions.defaults().caAddress());
  }

  @Test
  void aProxyPresentingItsServiceAccountTokenGetsACertificateForItsServiceAccount() throws Exception {
    var pod = injectedReviewsPod();
    var proxy = container(pod, SidecarInjector.PROXY);
    var env = mountedEnv(kubeletEnv(pod, proxy), dir.resolve("good"), "reviews-token");
    // The Service's DNS name does not resolve here; the CA's serving certificate also names 127.0.0.1.
    env.put(ProxyEnv.CA_ADDRESS, "127.0.0.1:" + cp.ca().port());
    var o = parse(kubeletArgs(proxy, env), env).identityOptions();
    var secrets = new SecretStore();
    try (var agent = WorkloadAgent.start(o, secrets)) {
      assertThat(secrets.awaitFirst(Duration.ofSeconds(60))).as("a certificate within 60 s (failures: %s)", agent.rotator().failures()).isTrue();
      var creds = secrets.current().credentials();
      assertThat(SpiffeId.fromCertificate(creds.leaf()).orElseThrow().uri()).isEqualTo(REVIEWS);
      creds.leaf().verify(mode.authority().root().getPublicKey());
      assertThat(creds.trustBundle()).contains(mode.authority().root());
    }
    assertThat(reviewedAudiences).containsOnly("istio-ca");
  }

  @Test
  void anyReplicaIssuesTheIdentityAndThePublishedRootVerifiesIt() throws Exception {
    // A second replica of the control plane on the same cluster: it reads the same Secret, so no replica is the only CA.
    try (var cp2 = ControlPlane.start(ControlPlane.Options.defaults().withPorts(0, 0), null);
        var mode2 = KubernetesMode.start(cp2.store(), new KubernetesMode.Options(dir.resolve("kubeconfig"), InstallOptions.defaults(),
            "meshwork-system", "127.0.0.1", 0, dir.resolve("ca-replica2"), CaOptions.defaults(), Duration.ofSeconds(30)), m -> {})) {
      cp2.startCa("127.0.0.1", new CaSettings(dir.resolve("unused-state2"), 0, "cluster.local", null, null, null, null,
          KubernetesMode.serviceNames("meshwork-system")), mode2);
      assertThat(mode2.authority().root()).isEqualTo(mode.authority().root());
      // It serves the cluster's state too (its own informers).
      assertThat(cp2.store().snapshot().get(new io.meshwork.config.ResourceKey("", "Namespace", "", "bookinfo"))).isNotNull();
      var pod = injectedReviewsPod();
      var proxy = container(pod, SidecarInjector.PROXY);
      var env = mountedEnv(kubeletEnv(pod, proxy), dir.resolve("replica2"), "reviews-token");
      env.put(ProxyEnv.CA_ADDRESS, "127.0.0.1:" + cp2.ca().port());
      var secrets = new SecretStore();
      try (var agent = WorkloadAgent.start(parse(kubeletArgs(proxy, env), env).identityOptions(), secrets)) {
        assertThat(secrets.awaitFirst(Duration.ofSeconds(60))).as("a certificate from replica 2 (failures: %s)", agent.rotator().failures())
            .isTrue();
        var leaf = secrets.current().credentials().leaf();
        assertThat(SpiffeId.fromCertificate(leaf).orElseThrow().uri()).isEqualTo(REVIEWS);
        leaf.verify(Pem.certificates(publishedRoot("bookinfo")).getFirst().getPublicKey());
      }
    }
  }

  /** What the proxy's transport meets when its token does not prove the identity it asks for. */
  static StatusRuntimeException refusal(String token) throws Exception {
    var rootPem = publishedRoot("bookinfo");
    try (var t = new GrpcCertificateTransport("127.0.0.1:" + cp.ca().port(), rootPem, () -> token)) {
      var csr = CsrBuilder.pem(CsrBuilder.build(KeyAlgorithm.EC_P256.generate(), SpiffeId.of("bookinfo", "bookinfo-reviews")));
      try {
        t.requestCertificate(csr, Duration.ofHours(1));
      } catch (StatusRuntimeException e) {
        return e;
      }
      throw new AssertionError("the CA issued a certificate for token " + token);
    }
  }

  @Test
  void aWrongTokenOrAnotherServiceAccountsTokenIsRefusedWithAClearError() throws Exception {
    // Another workload's valid token cannot buy reviews' identity.
    var foreign = refusal("productpage-token");
    assertThat(foreign.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
    assertThat(foreign.getStatus().getDescription())
        .isEqualTo("the certificate request asks for " + REVIEWS + " but the token proves spiffe://cluster.local/ns/bookinfo/sa/bookinfo-productpage");
    var forged = refusal("forged-token");
    assertThat(forged.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(forged.getStatus().getDescription()).startsWith("the ServiceAccount token was rejected by the API server: ")
        .contains("invalid bearer token");
    var wrongAudience = refusal(API_AUDIENCE_TOKEN);
    assertThat(wrongAudience.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(wrongAudience.getStatus().getDescription()).contains("rejected by the API server", "invalid for the target audiences [istio-ca]");
    // Join tokens are local mode's; in Kubernetes mode none is accepted and none can be issued.
    var join = refusal("mwjt_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
    assertThat(join.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(join.getStatus().getDescription()).contains("expected a Kubernetes ServiceAccount token");
    assertThatThrownBy(() -> cp.ca().issueJoinToken("bookinfo", "bookinfo-reviews", null, null)).hasMessageContaining("ServiceAccount token");

    // The proxy's agent with another workload's token keeps failing and never holds a certificate.
    var pod = injectedReviewsPod();
    var proxy = container(pod, SidecarInjector.PROXY);
    var env = mountedEnv(kubeletEnv(pod, proxy), dir.resolve("foreign"), "productpage-token");
    env.put(ProxyEnv.CA_ADDRESS, "127.0.0.1:" + cp.ca().port());
    var secrets = new SecretStore();
    try (var agent = WorkloadAgent.start(parse(kubeletArgs(proxy, env), env).identityOptions(), secrets)) {
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (agent.rotator().failures() == 0 && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      assertThat(agent.rotator().failures()).isPositive();
      assertThat(secrets.current()).isNull();
    }
  }
}
