package io.meshwork.xds.bootstrap;

import java.util.List;

/**
 * A bootstrap file that cannot be used. The message is one sentence per problem, each starting
 * with the file and the field path ({@code static_resources.clusters[0].connect_timeout}), so the
 * command line can print it as is.
 */
public final class BootstrapException extends Exception {
  private final List<String> problems;

  public BootstrapException(String source, List<String> problems) {
    super(format(source, problems), null, false, false);
    this.problems = List.copyOf(problems);
  }

  /** Each problem as "path: what is wrong", without the file name. */
  public List<String> problems() {
    return problems;
  }

  private static String format(String source, List<String> problems) {
    var sb = new StringBuilder();
    for (int i = 0; i < problems.size(); i++) {
      if (i > 0) {
        sb.append(System.lineSeparator());
      }
      sb.append(source).append(": ").append(problems.get(i));
    }
    return sb.toString();
  }
}
