package io.meshwork.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Entry point of the {@code meshwork} command. Exit codes follow one rule across subcommands:
 * 0 success, 1 the input was understood and found wanting (invalid config, error findings),
 * 2 usage errors and unreadable input.
 */
@Command(
    name = "meshwork",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "A service mesh: sidecar proxies, an Istio-compatible control plane and a console.",
    subcommands = {
      ValidateCommand.class, AnalyzeCommand.class, ControlCommand.class, ApplyCommand.class, GetCommand.class,
      DeleteCommand.class, ProxyCommand.class, ProxyConfigCommand.class, ProxyStatusCommand.class, DescribeCommand.class,
      ConsoleCommand.class, DemoCommand.class, BenchCommand.class, IptablesCommand.class, TokenCommand.class, InstallCommand.class,
      UninstallCommand.class, CommandLine.HelpCommand.class
    })
public final class Main implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
  }

  /** Runs the command with the given streams; returns the exit code (tests call this). */
  public static int run(PrintWriter out, PrintWriter err, String... args) {
    var cli = new CommandLine(new Main());
    cli.setOut(out);
    cli.setErr(err);
    cli.setExitCodeExceptionMapper(e -> 2);
    cli.setParameterExceptionHandler((ex, a) -> {
      ex.getCommandLine().getErr().println("meshwork: " + ex.getMessage());
      ex.getCommandLine().getErr().println("Run '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help' for usage.");
      return 2;
    });
    cli.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
      if (ex instanceof UserException ue) {
        commandLine.getErr().println("meshwork: " + ue.getMessage());
        return ue.exitCode();
      }
      throw ex;
    });
    int code = cli.execute(args);
    out.flush();
    err.flush();
    return code;
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Reads the version stamped into the jar at build time. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() throws IOException {
      var props = new Properties();
      try (InputStream in = Main.class.getResourceAsStream("version.properties")) {
        if (in != null) {
          props.load(in);
        }
      }
      return new String[] {
        "meshwork " + props.getProperty("version", "unknown"),
        "java " + Runtime.version() + " (" + System.getProperty("java.vendor") + ")"
      };
    }
  }
}
