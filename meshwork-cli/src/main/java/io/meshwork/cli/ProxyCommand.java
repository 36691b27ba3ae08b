package io.meshwork.cli;

import io.meshwork.proxy.ProxyServer;
import io.meshwork.proxy.ProxyStartException;
import io.meshwork.proxy.config.ConfigException;
import io.meshwork.proxy.config.ListenerConfig;
import io.meshwork.proxy.config.ProxyConfigBuilder;
import io.meshwork.xds.bootstrap.BootstrapException;
import io.meshwork.xds.bootstrap.BootstrapLoader;
import io.meshwork.proxy.xds.XdsProxy;
import io.meshwork.xds.client.NodeInfo;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.Map;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code meshwork proxy --bootstrap FILE}: runs a sidecar proxy from an Envoy-shaped static bootstrap
 * ({@code node}, {@code admin}, {@code static_resources}). Exit codes follow {@link Main}: 2 when the
 * file cannot be read, 1 when it is invalid or a port cannot be bound; otherwise it runs until
 * interrupted. Access log lines go to standard output, progress to standard error.
 */
@Command(name = "proxy", mixinStandardHelpOptions = true,
    description = {"Run a sidecar proxy from an Envoy v3 static bootstrap file (YAML or JSON),",
        "or (--control-plane) configured over xDS by 'meshwork control'."})
public final class ProxyCommand implements Callable<Integer> {
  @Option(names = "--bootstrap", paramLabel = "FILE",
      description = "Envoy-shaped bootstrap: node, admin, static_resources.listeners and .clusters.")
  Path bootstrap;

  @Option(names = "--control-plane", paramLabel = "HOST:PORT",
      description = "Follow this control plane's xDS server (e.g. 127.0.0.1:15010) instead of a bootstrap.")
  String controlPlane;

  @Option(names = "--workload", paramLabel = "NAME", description = "Workload name (auto-registration).")
  String workload;

  @Option(names = {"--namespace", "-n"}, paramLabel = "NS", defaultValue = "default", description = "Namespace (default: ${DEFAULT-VALUE}).")
  String namespace;

  @Option(names = "--labels", paramLabel = "K=V,...", split = ",", description = "Workload labels, e.g. app=reviews,version=v1.")
  Map<String, String> labels = new LinkedHashMap<>();

  @Option(names = "--service-account", paramLabel = "SA", defaultValue = "default", description = "Service account (default: ${DEFAULT-VALUE}).")
  String serviceAccount;

  @Option(names = "--ip", paramLabel = "IP", defaultValue = "127.0.0.1", description = "The workload's address (default: ${DEFAULT-VALUE}).")
  String ip;

  @Option(names = "--app-port", paramLabel = "NAME=PORT", description = "An application port, e.g. http=9080 (repeatable).")
  Map<String, Integer> appPorts = new LinkedHashMap<>();

  @Option(names = "--upstream-bind", paramLabel = "SERVICE:PORT=ADDR:PORT",
      description = "Local mode: serve SERVICE:PORT to the app on ADDR:PORT, e.g. ratings:9080=127.0.0.1:16001 (repeatable).")
  Map<String, String> upstreamBinds = new LinkedHashMap<>();

  @Option(names = "--admin", paramLabel = "ADDR:PORT", description = "Admin interface (loopback only), e.g. 127.0.0.1:15000.")
  String admin;

  @Option(names = "--prometheus-port", paramLabel = "PORT",
      description = "Port of the Prometheus endpoint (/stats/prometheus) on the admin address's host; default 15090"
          + " when the admin port is 15000, otherwise an ephemeral port; -1 turns it off.")
  Integer prometheusPort;

  @Option(names = "--health-port", paramLabel = "PORT", defaultValue = "-1",
      description = "Serve /healthz/ready and the rewritten app probes (ISTIO_KUBE_APP_PROBERS) on this port, as injected sidecars do (15021).")
  int healthPort;

  @Option(names = "--gateway", description = "Run as a gateway (node type router): Gateway servers, no sidecar listeners, no auto-registration.")
  boolean gateway;

  @Option(names = "--concurrency", paramLabel = "N", defaultValue = "0",
      description = "Event loop threads (default: one per CPU), like Envoy's --concurrency.")
  int concurrency;

  @Option(names = "--join-token-file", paramLabel = "FILE",
      description = "Workload identity: the join token from 'meshwork token create'; enables mTLS (a certificate from the control plane's CA)."
          + " Default: $MESHWORK_TOKEN_FILE (an injected pod's projected ServiceAccount token).")
  Path joinTokenFile;

  @Option(names = "--ca-root", paramLabel = "FILE",
      description = "The mesh root that verifies the CA (default: $MESHWORK_CA_ROOT, else root-cert.pem next to the token).")
  Path caRoot;

  @Option(names = "--ca-address", paramLabel = "HOST:PORT",
      description = "The certificate service (default: $MESHWORK_CA_ADDRESS, else the control plane's host, port 15012).")
  String caAddress;

  @Option(names = "--inbound-port", paramLabel = "NAME=PORT",
      description = "Local mode mTLS: terminate (m)TLS for app port NAME on --ip:PORT and forward to the app, e.g. http=15080 (repeatable).")
  Map<String, Integer> inboundPorts = new LinkedHashMap<>();

  @Option(names = "--capture", paramLabel = "MODE", arity = "0..1", fallbackValue = "REDIRECT",
      description = "The pod's traffic is captured ('meshwork iptables', mode REDIRECT (default) or TPROXY): serve"
          + " virtualOutbound on 15001 and virtualInbound on 15006 and dispatch by original destination. Run as uid 1337.")
  String capture;

  @Option(names = "--cert-ttl", paramLabel = "SECONDS", defaultValue = "86400",
      description = "Workload certificate lifetime to ask for (default ${DEFAULT-VALUE}); renewed at half-life.")
  long certTtl;

  @Option(names = "--trust-domain", paramLabel = "DOMAIN",
      description = "SPIFFE trust domain to ask the CA for; must be the control plane's --trust-domain"
          + " (default: $MESHWORK_TRUST_DOMAIN, else cluster.local).")
  String trustDomain;

  @Option(names = "--key-algorithm", defaultValue = "EC_P256", description = "EC_P256 (default) or RSA_2048.")
  io.meshwork.security.pki.KeyAlgorithm keyAlgorithm;

  @Spec CommandSpec spec;

  /** Where the MESHWORK_* identity variables are read from (the process environment; a map in tests). */
  Map<String, String> environment = System.getenv();

  @Override
  public Integer call() throws InterruptedException {
    var err = spec.commandLine().getErr();
    if ((bootstrap == null) == (controlPlane == null)) {
      throw new UserException(2, "pass exactly one of --bootstrap FILE or --control-plane HOST:PORT");
    }
    if (controlPlane != null) {
      return runXds(err);
    }
    if (!Files.isReadable(bootstrap)) {
      throw new UserException(2, bootstrap + ": file not found or not readable; pass an existing bootstrap file with --bootstrap");
    }
    ProxyServer server;
    try {
      var config = ProxyConfigBuilder.fromBootstrap(BootstrapLoader.load(bootstrap), 1);
      int threads = concurrency > 0 ? concurrency : Runtime.getRuntime().availableProcessors();
      err.println("meshwork proxy: starting " + config.listeners().size() + " listener(s), "
          + config.clusters().size() + " cluster(s), " + threads + " event loop(s) (node " + config.nodeId() + ")");
      server = ProxyServer.start(config, threads, System.out);
      var prometheus = prometheusAddress(config.adminAddress());
      if (prometheus != null) {
        try {
          int port = server.bindPrometheus(prometheus);
          err.println("meshwork proxy: Prometheus metrics on http://" + prometheus.getHostString() + ":" + port + "/stats/prometheus");
        } catch (ProxyStartException e) {
          server.close();
          throw e;
        }
      }
      for (var l : config.listeners()) {
        var kind = l.chains() != null ? l.chains().chains().size() + " filter chains"
            : l.protocol() instanceof ListenerConfig.Http ? "HTTP" : "TCP";
        err.println("meshwork proxy: listener " + l.name() + " (" + kind + ") on "
            + l.address().getHostString() + ":" + server.listenerPort(l.name()));
      }
      if (server.adminPort() > 0) {
        err.println("meshwork proxy: admin on " + config.adminAddress().getHostString() + ":" + server.adminPort()
            + " (/ready, /stats, /clusters, /config_dump)");
      }
      err.println("meshwork proxy: ready (transport " + server.transport().name().toLowerCase() + "); Ctrl-C to stop");
      err.flush();
    } catch (BootstrapException e) {
      throw new UserException(1, e.getMessage());
    } catch (ConfigException e) {
      throw new UserException(1, bootstrap + ": " + e.getMessage());
    } catch (ProxyStartException e) {
      throw new UserException(1, e.getMessage());
    }
    var running = server;
    Runtime.getRuntime().addShutdownHook(new Thread(running::close, "meshwork-proxy-shutdown"));
    running.awaitClosed(); // Ctrl-C, or POST /quitquitquit on the admin port
    err.println("meshwork proxy: stopped");
    return 0;
  }

  /** The Prometheus endpoint's address: {@code --prometheus-port} on the admin host, else XdsProxy's default. */
  private java.net.InetSocketAddress prometheusAddress(java.net.InetSocketAddress adminAddress) {
    if (prometheusPort == null) {
      return XdsProxy.defaultPrometheus(adminAddress);
    }
    if (prometheusPort < 0) {
      return null;
    }
    if (prometheusPort > 65535) {
      throw new UserException(2, "--prometheus-port " + prometheusPort + ": must be a port number (0-65535), or -1 for none");
    }
    var host = adminAddress != null ? adminAddress.getAddress() : java.net.InetAddress.getLoopbackAddress();
    return new java.net.InetSocketAddress(host, prometheusPort);
  }

  private Integer runXds(java.io.PrintWriter err) throws InterruptedException {
    if (workload == null || workload.isBlank()) {
      throw new UserException(2, "--workload NAME is required with --control-plane (it names this proxy to the control plane)");
    }
    java.net.InetSocketAddress adminAddress = null;
    if (admin != null) {
      adminAddress = hostPort(admin, "--admin");
      if (!adminAddress.getAddress().isLoopbackAddress()) {
        throw new UserException(2, "--admin " + admin + ": the admin interface must bind a loopback address");
      }
    }
    for (var e : upstreamBinds.entrySet()) {
      if (!e.getKey().matches("[^:]+:\\d+")) {
        throw new UserException(2, "--upstream-bind " + e.getKey() + "=" + e.getValue() + ": the service must be SERVICE:PORT");
      }
      hostPort(e.getValue(), "--upstream-bind " + e.getKey());
    }
    for (var name : inboundPorts.keySet()) {
      if (!appPorts.containsKey(name)) {
        throw new UserException(2, "--inbound-port " + name + "=" + inboundPorts.get(name) + ": no --app-port named " + name
            + "; name the app port it fronts, e.g. --app-port " + name + "=8080");
      }
    }
    var identity = identityOptions();
    if (!inboundPorts.isEmpty() && identity == null) {
      throw new UserException(2, "--inbound-port needs a workload identity: pass --join-token-file FILE (from 'meshwork token create')");
    }
    var node = NodeInfo.sidecar(workload, namespace, labels, ip, appPorts).withUpstreamBinds(upstreamBinds)
        .withServiceAccount(serviceAccount).withInboundPorts(inboundPorts);
    if (capture != null) {
      var mode = capture.trim().toUpperCase(java.util.Locale.ROOT);
      if (!mode.equals("REDIRECT") && !mode.equals("TPROXY")) {
        throw new UserException(2, "--capture " + capture + ": the mode must be REDIRECT or TPROXY");
      }
      if (!inboundPorts.isEmpty() || gateway) {
        throw new UserException(2, "--capture cannot be combined with " + (gateway ? "--gateway" : "--inbound-port")
            + ": a captured sidecar serves the app's own ports through 15006");
      }
      if (mode.equals("TPROXY")) {
        var missing = io.meshwork.proxy.capture.TproxyPrivileges.missing();
        if (missing.isPresent()) {
          throw new UserException(2, "--capture TPROXY: " + missing.get());
        }
      }
      node = node.withMetadata(NodeInfo.INTERCEPTION_MODE, mode);
    }
    if (gateway) {
      node = node.asGateway();
    }
    int threads = concurrency > 0 ? concurrency : Runtime.getRuntime().availableProcessors();
    var progress = new java.io.PrintStream(new java.io.OutputStream() {
      @Override
      public void write(int b) {
        err.write(b);
      }

      @Override
      public void flush() {
        err.flush();
      }
    }, true, java.nio.charset.StandardCharsets.UTF_8);
    XdsProxy proxy;
    try {
      proxy = XdsProxy.start(controlPlane, node, adminAddress, prometheusAddress(adminAddress), threads, System.out, progress,
          identity);
    } catch (ProxyStartException e) {
      throw new UserException(1, e.getMessage());
    }
    if (proxy.server().adminPort() > 0) {
      err.println("meshwork proxy: admin on " + adminAddress.getHostString() + ":" + proxy.server().adminPort()
          + " (/ready, /stats, /clusters, /config_dump)");
      err.flush();
    }
    io.meshwork.kubernetes.prober.AppProber prober = null;
    if (healthPort >= 0) {
      var readyUrl = adminAddress == null ? null
          : java.net.URI.create("http://" + adminAddress.getHostString() + ":" + proxy.server().adminPort() + "/ready");
      try {
        prober = io.meshwork.kubernetes.prober.AppProber.start("0.0.0.0", healthPort, readyUrl, System.getenv("ISTIO_KUBE_APP_PROBERS"));
      } catch (java.io.IOException e) {
        proxy.close();
        throw new UserException(2, "--health-port " + healthPort + ": cannot listen (" + e.getMessage() + "); choose another port");
      }
      err.println("meshwork proxy: health on :" + prober.port() + " (/healthz/ready, /app-health/...)");
      err.flush();
    }
    var health = prober;
    Runtime.getRuntime().addShutdownHook(new Thread(proxy::close, "meshwork-proxy-shutdown"));
    proxy.server().awaitClosed();
    if (health != null) {
      health.close();
    }
    proxy.close();
    err.println("meshwork proxy: stopped");
    return 0;
  }

  /**
   * The certificate agent's settings, or null without a workload identity. Flags win; otherwise an
   * injected pod's environment ({@link io.meshwork.kubernetes.inject.ProxyEnv}, set by the injector):
   * the projected ServiceAccount token, the CA address and the mounted mesh root. The identity asked
   * for is {@code --namespace}/{@code --service-account}; the CA grants it only if the token proves it.
   */
  io.meshwork.proxy.mtls.WorkloadAgent.Options identityOptions() {
    var tokenFile = joinTokenFile;
    boolean fromEnv = false;
    if (tokenFile == null) {
      var t = environment.get(io.meshwork.kubernetes.inject.ProxyEnv.TOKEN_FILE);
      if (t == null || t.isBlank()) {
        return null;
      }
      tokenFile = Path.of(t);
      fromEnv = true;
    }
    var envRoot = environment.get(io.meshwork.kubernetes.inject.ProxyEnv.CA_ROOT);
    var root = caRoot != null ? caRoot
        : envRoot != null && !envRoot.isBlank() ? Path.of(envRoot)
        : tokenFile.toAbsolutePath().resolveSibling("root-cert.pem");
    var envCa = environment.get(io.meshwork.kubernetes.inject.ProxyEnv.CA_ADDRESS);
    var cpHost = controlPlane == null ? "" : controlPlane.substring(0, Math.max(0, controlPlane.lastIndexOf(':')));
    var ca = caAddress != null ? caAddress
        : envCa != null && !envCa.isBlank() ? envCa
        : (cpHost.isEmpty() ? "127.0.0.1" : cpHost) + ":15012";
    if (fromEnv && !Files.isReadable(tokenFile)) {
      throw new UserException(2, io.meshwork.kubernetes.inject.ProxyEnv.TOKEN_FILE + "=" + tokenFile
          + ": not readable; the pod needs the projected ServiceAccount token volume the injector adds (audience istio-ca)");
    }
    if (fromEnv && !Files.isReadable(root)) {
      throw new UserException(2, "the mesh root " + root + " is not readable; the pod needs the ConfigMap "
          + io.meshwork.kubernetes.install.Names.ROOT_CERT_CONFIGMAP + " the control plane writes into every namespace");
    }
    return new io.meshwork.proxy.mtls.WorkloadAgent.Options(ca, tokenFile, root,
        identity(),
        java.time.Duration.ofSeconds(certTtl), keyAlgorithm);
  }

  /** This workload's SPIFFE ID in the trust domain of {@code --trust-domain}, the environment, or Istio's default. */
  private io.meshwork.security.identity.SpiffeId identity() {
    var env = environment.get(io.meshwork.kubernetes.inject.ProxyEnv.TRUST_DOMAIN);
    var domain = trustDomain != null ? trustDomain
        : env != null && !env.isBlank() ? env.strip()
        : io.meshwork.security.identity.SpiffeId.DEFAULT_TRUST_DOMAIN;
    if (!domain.matches("[a-z0-9._-]+")) {
      throw new UserException(2, "--trust-domain " + domain
          + ": a SPIFFE trust domain has only lowercase letters, digits, '.', '-' and '_' (e.g. cluster.local)");
    }
    try {
      return new io.meshwork.security.identity.SpiffeId(domain, namespace, serviceAccount);
    } catch (IllegalArgumentException e) {
      throw new UserException(2, "--trust-domain " + domain + " / --namespace " + namespace + " / --service-account "
          + serviceAccount + ": not a valid SPIFFE identity (" + e.getMessage() + ")");
    }
  }

  private static java.net.InetSocketAddress hostPort(String s, String option) {
    int colon = s.lastIndexOf(':');
    try {
      if (colon <= 0) {
        throw new NumberFormatException();
      }
      return new java.net.InetSocketAddress(java.net.InetAddress.getByName(s.substring(0, colon)), Integer.parseInt(s.substring(colon + 1)));
    } catch (NumberFormatException | java.net.UnknownHostException e) {
      throw new UserException(2, option + " " + s + ": expected ADDRESS:PORT, e.g. 127.0.0.1:16001");
    }
  }
}
