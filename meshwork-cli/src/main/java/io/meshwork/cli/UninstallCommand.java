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

/** {@code meshwork uninstall}: deletes what {@code meshwork install} created; the CRDs only with {@code --purge}. */
@Command(name = "uninstall", mixinStandardHelpOptions = true,
    description = "Remove Meshwork from a Kubernetes cluster (CRDs and Istio config are kept unless --purge).")
public final class UninstallCommand implements Callable<Integer> {
  @Option(names = "--kubeconfig", paramLabel = "FILE", description = "Kubeconfig file (default: $KUBECONFIG, ~/.kube/config, or in-cluster).")
  Path kubeconfig;

  @Option(names = "--purge", description = "Also delete the CRDs, and with them every Istio resource in the cluster.")
  boolean purge;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    var err = spec.commandLine().getErr();
    var objects = Manifests.render(InstallOptions.defaults());
    String server = "?";
    try (var client = KubeClients.create(kubeconfig)) {
      server = client.getMasterUrl().toString();
      err.println("meshwork uninstall: removing Meshwork from " + client.getMasterUrl());
      new Installer(client, line -> {
        err.println("  " + line);
        err.flush();
      }).delete(objects, purge);
      err.println("meshwork uninstall: done");
      return 0;
    } catch (IOException e) {
      throw new UserException(2, e.getMessage());
    } catch (KubernetesClientException e) {
      throw new UserException(1, "the Kubernetes API server " + server + " refused or could not be reached (" + InstallCommand.firstLine(e)
          + "); check --kubeconfig");
    }
  }
}
