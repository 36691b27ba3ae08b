package io.meshwork.cli;

import io.fabric8.kubernetes.client.KubernetesClientException;
import io.meshwork.kubernetes.KubeClients;
import io.meshwork.kubernetes.install.InstallOptions;
import io.meshwork.kubernetes.install.Installer;
import io.meshwork.kubernetes.install.Manifests;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code meshwork install}: renders the Kubernetes installation (CRDs, namespace, control plane,
 * console, ingress gateway, RBAC, webhooks) and applies it to the cluster of the kubeconfig, or
 * prints it with {@code --dry-run}. An unreachable API server is one sentence and exit code 1.
 */
@Command(name = "install", mixinStandardHelpOptions = true,
    description = "Install Meshwork into a Kubernetes cluster (or print the manifests with --dry-run).")
public final class InstallCommand implements Callable<Integer> {
  @Option(names = "--dry-run", description = "Print the manifests instead of applying them.")
  boolean dryRun;

  @Option(names = {"-o", "--output"}, defaultValue = "yaml", paramLabel = "FORMAT", description = "Output of --dry-run: yaml (default) or json.")
  String output;

  @Option(names = "--kubeconfig", paramLabel = "FILE", description = "Kubeconfig file (default: $KUBECONFIG, ~/.kube/config, or in-cluster).")
  Path kubeconfig;

  @Option(names = "--hub", defaultValue = InstallOptions.DEFAULT_HUB, description = "Image registry/prefix (default ${DEFAULT-VALUE}).")
  String hub;

  @Option(names = "--tag", defaultValue = InstallOptions.DEFAULT_TAG, description = "Image tag (default ${DEFAULT-VALUE}).")
  String tag;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    if (!output.equals("yaml") && !output.equals("json")) {
      throw new UserException(2, "--output must be yaml or json, not " + output);
    }
    var objects = Manifests.render(InstallOptions.defaults().withImages(hub, tag));
    if (dryRun) {
      spec.commandLine().getOut().print(output.equals("json") ? Manifests.json(objects) : Manifests.yaml(objects));
      spec.commandLine().getOut().flush();
      return 0;
    }
    var err = spec.commandLine().getErr();
    String server = "?";
    try (var client = KubeClients.create(kubeconfig)) {
      server = client.getMasterUrl().toString();
      err.println("meshwork install: applying " + objects.size() + " objects to " + client.getMasterUrl());
      new Installer(client, line -> {
        err.println("  " + line);
        err.flush();
      }).apply(objects);
      err.println("meshwork install: done; label a namespace with istio-injection=enabled to inject its pods");
      return 0;
    } catch (IOException e) {
      throw new UserException(2, e.getMessage());
    } catch (KubernetesClientException e) {
      throw new UserException(1, "the Kubernetes API server " + server + " refused or could not be reached (" + firstLine(e) + "); check --kubeconfig, or use --dry-run to print the manifests");
    }
  }

  /** The root cause's first line ("Connection refused"), not fabric8's wrapper ("Operation: [get] ... failed."). */
  static String firstLine(Throwable e) {
    var root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    var m = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl);
  }
}
