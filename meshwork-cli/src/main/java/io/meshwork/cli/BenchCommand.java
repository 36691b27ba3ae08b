package io.meshwork.cli;

import io.meshwork.bench.config.ConfigParseBenchmark;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code meshwork bench ...}: benchmarks that print figures and record them in docs/benchmarks.md. */
@Command(name = "bench", description = "Run benchmarks and record their figures.", subcommands = {BenchCommand.Config.class})
final class BenchCommand implements Runnable {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Parse + validate throughput of the configuration model. */
  @Command(name = "config", description = "Parse + validate generated VirtualServices and DestinationRules on one thread.")
  static final class Config implements Callable<Integer> {
    @Option(names = "--documents", defaultValue = "10000", description = "How many documents (default ${DEFAULT-VALUE}).")
    int documents;

    @Option(names = "--rounds", defaultValue = "5", description = "Measured rounds (default ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--write", description = "Markdown file to record the figures in, e.g. docs/benchmarks.md.")
    Path write;

    @Override
    public Integer call() throws Exception {
      if (documents < 1 || rounds < 1) {
        throw new UserException(2, "--documents and --rounds must be at least 1");
      }
      var result = ConfigParseBenchmark.run(documents, rounds, System.out);
      ConfigParseBenchmark.report(result, System.out, write);
      return result.invalid() == 0 ? 0 : 1;
    }
  }
}
