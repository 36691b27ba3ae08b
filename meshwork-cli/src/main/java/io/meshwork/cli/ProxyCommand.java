package io.meshwork.cli;

import io.meshwork.proxy.ProxyServer;
import io.meshwork.proxy.ProxyStartException;
import io.meshwork.proxy.config.ConfigException;
import io.meshwork.proxy.config.ListenerConfig;
import io.meshwork.proxy.config.ProxyConfigBuilder;
import io.meshwork.xds.bootstrap.BootstrapException;
import io.meshwork.xds.bootstrap.BootstrapLoader;
import java.nio.file.Files;
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
    description = "Run a sidecar proxy from an Envoy v3 static bootstrap file (YAML or JSON).")
public final class ProxyCommand implements Callable<Integer> {
  @Option(names = "--bootstrap", required = true, paramLabel = "FILE",
      description = "Envoy-shaped bootstrap: node, admin, static_resources.listeners and .clusters.")
  Path bootstrap;

  @Option(names = "--concurrency", paramLabel = "N", defaultValue = "0",
      description = "Event loop threads (default: one per CPU), like Envoy's --concurrency.")
  int concurrency;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws InterruptedException {
    var err = spec.commandLine().getErr();
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
      for (var l : config.listeners()) {
        var kind = l.protocol() instanceof ListenerConfig.Http ? "HTTP" : "TCP";
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
}
