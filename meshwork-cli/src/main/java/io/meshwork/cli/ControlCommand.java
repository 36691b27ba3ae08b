package io.meshwork.cli;

import io.meshwork.control.ControlPlane;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code meshwork control}: runs the control plane (config store, REST API, xDS server) until
 * interrupted. A port in use or an unreadable config directory is one sentence and exit code 2.
 */
@Command(name = "control", mixinStandardHelpOptions = true,
    description = "Run the control plane: config store + REST API (15014), the xDS server (15010) and the CA (15012).")
public final class ControlCommand implements Callable<Integer> {
  @Option(names = "--config-dir", paramLabel = "DIR", description = "Directory of Istio YAML to load and watch for changes.")
  Path configDir;

  @Option(names = "--port", defaultValue = "15014", description = "REST API port (default ${DEFAULT-VALUE}).")
  int port;

  @Option(names = "--xds-port", defaultValue = "15010", description = "xDS (gRPC ADS) port (default ${DEFAULT-VALUE}).")
  int xdsPort;

  @Option(names = "--address", defaultValue = "127.0.0.1", description = "Address to listen on (default ${DEFAULT-VALUE}).")
  String address;

  @Option(names = "--outbound-traffic-policy", defaultValue = "ALLOW_ANY",
      description = "Mesh-wide outbound policy: ALLOW_ANY (default) or REGISTRY_ONLY.")
  String outboundPolicy;

  @Option(names = "--registration-grace", defaultValue = "10", paramLabel = "SECONDS",
      description = "How long an auto-registered workload outlives its proxy's connection (default ${DEFAULT-VALUE} s).")
  long graceSeconds;

  @Option(names = "--ca-port", defaultValue = "15012", description = "Certificate service (IstioCertificateService, gRPC over TLS) port (default ${DEFAULT-VALUE}).")
  int caPort;

  @Option(names = "--no-ca", description = "Run without the certificate authority (no mTLS identities).")
  boolean noCa;

  @Option(names = "--state-dir", paramLabel = "DIR", description = "Where the CA root and join tokens are kept (default: ~/.meshwork/ca).")
  Path stateDir;

  @Option(names = "--trust-domain", defaultValue = "cluster.local", description = "SPIFFE trust domain (default ${DEFAULT-VALUE}).")
  String trustDomain;

  @Option(names = "--ca-cert", paramLabel = "FILE", description = "Plug-in CA: signing certificate (Istio's ca-cert.pem).")
  Path caCert;

  @Option(names = "--ca-key", paramLabel = "FILE", description = "Plug-in CA: signing key (ca-key.pem).")
  Path caKey;

  @Option(names = "--ca-chain", paramLabel = "FILE", description = "Plug-in CA: chain up to the root (cert-chain.pem).")
  Path caChain;

  @Option(names = "--root-cert", paramLabel = "FILE", description = "Plug-in CA: the root (root-cert.pem).")
  Path rootCert;

  @Option(names = "--tracing-zipkin", paramLabel = "HOST:PORT",
      description = "Zipkin collector (v2 JSON, /api/v2/spans): extension provider \"zipkin\", the default tracing provider.")
  String tracingZipkin;

  @Option(names = "--tracing-otlp", paramLabel = "URL",
      description = "OTLP/HTTP traces endpoint such as http://otel-collector:4318/v1/traces: extension provider \"otel\".")
  String tracingOtlp;

  @Option(names = "--tracing-sampling", paramLabel = "PERCENT", defaultValue = "1",
      description = "Mesh default random sampling percentage, 0-100 (default ${DEFAULT-VALUE}, as Istio); Telemetry resources override it.")
  double tracingSampling;

  @Option(names = "--access-log-file", paramLabel = "PATH",
      description = "Turn access logs on for every proxy (meshConfig.accessLogFile), e.g. /dev/stdout.")
  String accessLogFile;

  @Option(names = "--access-log-encoding", paramLabel = "TEXT|JSON", defaultValue = "TEXT",
      description = "Format of the built-in \"envoy\" access log provider (default ${DEFAULT-VALUE}).")
  String accessLogEncoding;

  @Option(names = "--kubernetes", description = "Kubernetes mode: registry and config from the cluster (informers), CA root in a Secret, admission webhooks.")
  boolean kubernetes;

  @Option(names = "--kubeconfig", paramLabel = "FILE", description = "With --kubernetes: kubeconfig file (default: in-cluster, $KUBECONFIG or ~/.kube/config).")
  Path kubeconfig;

  @Option(names = "--hub", defaultValue = io.meshwork.kubernetes.install.InstallOptions.DEFAULT_HUB,
      description = "With --kubernetes: image hub of the injected proxy (default ${DEFAULT-VALUE}).")
  String hub;

  @Option(names = "--tag", defaultValue = io.meshwork.kubernetes.install.InstallOptions.DEFAULT_TAG,
      description = "With --kubernetes: image tag of the injected proxy (default ${DEFAULT-VALUE}).")
  String tag;

  @Option(names = "--webhook-port", defaultValue = "15017", description = "With --kubernetes: admission webhook HTTPS port (default ${DEFAULT-VALUE}).")
  int webhookPort;

  @Option(names = "--ca-dir", paramLabel = "DIR", defaultValue = "${sys:java.io.tmpdir}/meshwork-ca",
      description = "With --kubernetes: where the shared CA root is written locally (default ${DEFAULT-VALUE}).")
  Path caDir;

  @Spec CommandSpec spec;

  /** The mesh-wide telemetry from the flags; a bad flag is a user error naming it. */
  io.meshwork.control.observability.MeshTelemetry meshTelemetry() {
    var b = io.meshwork.control.observability.MeshTelemetry.builder();
    try {
      if (tracingZipkin != null) {
        b.zipkin(tracingZipkin);
      }
      if (tracingOtlp != null) {
        b.otlp(tracingOtlp);
      }
      b.sampling(tracingSampling).accessLogEncoding(accessLogEncoding);
      if (accessLogFile != null) {
        b.accessLogFile(accessLogFile);
      }
    } catch (IllegalArgumentException e) {
      throw new UserException(2, e.getMessage());
    }
    return b.build();
  }

  @Override
  public Integer call() throws Exception {
    var err = spec.commandLine().getErr();
    // One line per log record: time, level, message.
    System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tT %4$s %5$s%6$s%n");
    if (!outboundPolicy.equals("ALLOW_ANY") && !outboundPolicy.equals("REGISTRY_ONLY")) {
      throw new UserException(2, "--outbound-traffic-policy must be ALLOW_ANY or REGISTRY_ONLY, not " + outboundPolicy);
    }
    if (configDir != null && !Files.isDirectory(configDir)) {
      throw new UserException(2, "--config-dir " + configDir + " is not a directory; give a directory of YAML files");
    }
    var telemetry = meshTelemetry();
    var options = new ControlPlane.Options(configDir, address, port, xdsPort, Duration.ofSeconds(graceSeconds), Duration.ofMillis(100),
        outboundPolicy.equals("ALLOW_ANY"));
    io.meshwork.control.ca.CaSettings ca = null;
    // Kubernetes mode: the CA (root from the shared Secret, ServiceAccount tokens) starts once the cluster is reachable, below.
    if (!noCa && !kubernetes) {
      var dir = stateDir != null ? stateDir : Path.of(System.getProperty("user.home"), ".meshwork", "ca");
      ca = new io.meshwork.control.ca.CaSettings(dir, caPort, trustDomain, caCert, caKey, caChain, rootCert, java.util.List.of());
    }
    ControlPlane cp;
    try {
      cp = ControlPlane.start(options, ca);
    } catch (ControlPlane.PortInUseException e) {
      throw new UserException(2, e.getMessage());
    } catch (IOException e) {
      throw new UserException(2, "cannot start the control plane: " + e.getMessage());
    }
    if (cp.directory() != null) {
      var r = cp.directory().lastResult();
      if (r.ok()) {
        err.println("meshwork control: loaded " + r.changes().size() + " resource(s) from " + configDir + " (watching for changes)");
      } else {
        err.println("meshwork control: " + configDir + " was rejected, fix it and save again (watching for changes):");
        r.errors().forEach(e -> err.println("  " + e));
      }
    }
    io.meshwork.kubernetes.KubernetesMode k8s = null;
    if (kubernetes) {
      var ns = System.getenv().getOrDefault("POD_NAMESPACE", io.meshwork.kubernetes.install.InstallOptions.DEFAULT_NAMESPACE);
      var install = io.meshwork.kubernetes.install.InstallOptions.defaults().withImages(hub, tag);
      try {
        k8s = io.meshwork.kubernetes.KubernetesMode.start(cp.store(), new io.meshwork.kubernetes.KubernetesMode.Options(kubeconfig, install, ns,
            address, webhookPort, caDir, io.meshwork.security.ca.CaOptions.defaults().withTrustDomain(trustDomain), Duration.ofSeconds(60)),
            m -> {
              err.println("meshwork control: " + m);
              err.flush();
            });
        if (!noCa) {
          cp.startCa(address, new io.meshwork.control.ca.CaSettings(caDir, caPort, trustDomain, null, null, null, null,
              io.meshwork.kubernetes.KubernetesMode.serviceNames(ns)), k8s);
        }
      } catch (IOException | RuntimeException e) {
        if (k8s != null) {
          k8s.close();
        }
        cp.close();
        if (e instanceof ControlPlane.PortInUseException) {
          throw new UserException(2, e.getMessage());
        }
        throw new UserException(2, "cannot start Kubernetes mode: " + e.getMessage());
      }
    }
    var kubernetesMode = k8s;
    err.println("meshwork control: REST API on http://" + address + ":" + cp.restPort() + " (/apis/..., /debug/proxies, /metrics)");
    err.println("meshwork control: xDS (ADS, gRPC) on " + address + ":" + cp.xdsPort());
    if (cp.ca() != null) {
      err.println("meshwork control: certificate service (gRPC, TLS) on " + address + ":" + cp.ca().port()
          + (kubernetes ? "; pods prove their identity with their ServiceAccount token (TokenReview, audience istio-ca)"
              : "; issue workload identities with 'meshwork token create'"));
    }
    cp.meshTelemetry(telemetry);
    if (!telemetry.defaultTracing().isEmpty()) {
      err.println("meshwork control: tracing to " + telemetry.providers().get(telemetry.defaultTracing().getFirst())
          + " at " + telemetry.defaultSamplingPercent() + "% by default");
    }
    if (accessLogFile != null) {
      err.println("meshwork control: access logs (" + accessLogEncoding + ") to " + accessLogFile + " on every proxy");
    }
    err.println("meshwork control: ready; Ctrl-C to stop");
    err.flush();
    var stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        if (kubernetesMode != null) {
          kubernetesMode.close();
        }
        cp.close();
      } catch (IOException e) {
        // exiting anyway
      }
      System.err.println("meshwork control: stopped");
      stopped.countDown();
    }, "meshwork-control-shutdown"));
    stopped.await();
    return 0;
  }
}
