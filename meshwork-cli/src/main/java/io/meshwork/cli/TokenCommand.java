package io.meshwork.cli;

import io.meshwork.security.pki.SecureFiles;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code meshwork token create}: asks the control plane (on this host) for a join token that proves
 * a workload's namespace and service account to the CA, and writes it to a {@code 0600} file with
 * the mesh root next to it. The proxy then runs with {@code --join-token-file} and {@code --ca-root}.
 */
@Command(name = "token", mixinStandardHelpOptions = true, description = "Workload join tokens (local mode identities).",
    subcommands = TokenCommand.Create.class)
public final class TokenCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getErr());
  }

  /** {@code meshwork token create --namespace N --service-account S -o FILE}. */
  @Command(name = "create", mixinStandardHelpOptions = true,
      description = {"Issue a join token for a workload identity and write it to a 0600 file,",
          "with the mesh root (for --ca-root) in root-cert.pem next to it (or --root-out)."})
  public static final class Create implements Callable<Integer> {
    @Option(names = {"--namespace", "-n"}, defaultValue = "default", description = "Namespace (default: ${DEFAULT-VALUE}).")
    String namespace;

    @Option(names = "--service-account", required = true, paramLabel = "SA", description = "Service account of the workload.")
    String serviceAccount;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "FILE", description = "Where to write the token (mode 0600).")
    Path output;

    @Option(names = "--root-out", paramLabel = "FILE", description = "Where to write the mesh root (default: root-cert.pem next to the token).")
    Path rootOut;

    @Option(names = "--ttl", paramLabel = "SECONDS", description = "Token lifetime in seconds (default: no expiry; revoke by restarting with a new state dir).")
    Long ttlSeconds;

    @Option(names = "--control-plane", paramLabel = "HOST:PORT", defaultValue = ControlPlaneClient.DEFAULT,
        description = "The control plane's REST API (default: ${DEFAULT-VALUE}).")
    String controlPlane;

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      var path = "/apis/meshwork.io/v1/join-tokens?namespace=" + URLEncoder.encode(namespace, StandardCharsets.UTF_8)
          + "&serviceAccount=" + URLEncoder.encode(serviceAccount, StandardCharsets.UTF_8)
          + (ttlSeconds == null ? "" : "&ttl=" + ttlSeconds);
      var answer = new ControlPlaneClient(controlPlane).send("POST", path, "");
      if (answer.status() == 404 || answer.status() == 405) {
        throw new UserException(1, "the control plane at " + controlPlane + " runs without a CA; start it without --no-ca");
      }
      if (answer.status() >= 400) {
        throw new UserException(1, answer.message());
      }
      var token = answer.body().path("token").asText();
      var root = answer.body().path("root").asText();
      var rootFile = rootOut != null ? rootOut : output.toAbsolutePath().resolveSibling("root-cert.pem");
      try {
        if (output.toAbsolutePath().getParent() != null) {
          Files.createDirectories(output.toAbsolutePath().getParent());
        }
        SecureFiles.write(output, token + "\n");
        Files.writeString(rootFile, root);
      } catch (IOException e) {
        throw new UserException(2, "cannot write " + output + ": " + e.getMessage());
      }
      var err = spec.commandLine().getErr();
      err.println("meshwork token: " + answer.body().path("spiffeId").asText() + " -> " + output + " (0600), mesh root -> " + rootFile);
      err.println("meshwork token: run the sidecar with --join-token-file " + output + " --ca-root " + rootFile);
      err.flush();
      return 0;
    }
  }
}
