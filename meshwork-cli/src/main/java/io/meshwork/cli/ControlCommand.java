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
    description = "Run the control plane: config store + REST API (15014) and the xDS server (15010).")
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
    var options = new ControlPlane.Options(configDir, address, port, xdsPort, Duration.ofSeconds(graceSeconds), Duration.ofMillis(100),
        outboundPolicy.equals("ALLOW_ANY"));
    ControlPlane cp;
    try {
      cp = ControlPlane.start(options);
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
            address, webhookPort, caDir, io.meshwork.security.ca.CaOptions.defaults(), Duration.ofSeconds(60)), m -> {
              err.println("meshwork control: " + m);
              err.flush();
            });
      } catch (IOException | RuntimeException e) {
        cp.close();
        throw new UserException(2, "cannot start Kubernetes mode: " + e.getMessage());
      }
    }
    var kubernetesMode = k8s;
    err.println("meshwork control: REST API on http://" + address + ":" + cp.restPort() + " (/apis/..., /debug/proxies, /metrics)");
    err.println("meshwork control: xDS (ADS, gRPC) on " + address + ":" + cp.xdsPort());
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
