package io.meshwork.cli;

import java.util.List;
import picocli.CommandLine.Option;

/** The {@code -f} and {@code -o} options shared by validate and analyze (a picocli mixin). */
final class ConfigFileOptions {
  @Option(names = {"-f", "--filename"}, description = "File, directory (recursive) or - for standard input; repeatable.")
  List<String> files;

  @Option(names = {"-o", "--output"}, description = "Output format: text (default) or json.", defaultValue = "text")
  OutputFormat output;

  /** Refuses {@code -o yaml}, which these commands do not print. */
  OutputFormat textOrJson(String command) {
    if (output == OutputFormat.yaml) {
      throw new UserException(2, command + " prints -o text or -o json, not yaml");
    }
    return output;
  }
}
