package io.meshwork.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.List;
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
    description = "A service mesh: sidecar proxies, an Istio-compatible control plane and a console.")
public final class Main implements Runnable {
  /**
   * The subcommands, in the order {@code meshwork --help} lists them. They are registered by name
   * ({@link #command}) rather than in {@code @Command(subcommands = ...)}, because picocli builds
   * the model of every listed subcommand up front, loading each command class and the types of its
   * options: for {@code meshwork proxy} (a sidecar, where class metadata is most of the memory) that
   * was the control plane's, the console's and the demos' classes too. When the first argument names
   * a subcommand only that one is registered; otherwise (no command, an option, {@code help}, a typo)
   * all are, so help and "did you mean" suggestions are unchanged.
   */
  static final List<String> COMMANDS = List.of("validate", "analyze", "control", "apply", "get", "delete", "proxy",
      "proxy-config", "proxy-status", "describe", "console", "demo", "bench", "iptables", "token", "install", "uninstall",
      "help");

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
  }

  /** Runs the command with the given streams; returns the exit code (tests call this). */
  public static int run(PrintWriter out, PrintWriter err, String... args) {
    var cli = commandLine(args);
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

  /** The root command with the subcommands {@code args} needs (see {@link #COMMANDS}). */
  static CommandLine commandLine(String... args) {
    var cli = new CommandLine(new Main());
    if (args.length > 0 && !args[0].equals("help") && COMMANDS.contains(args[0])) {
      cli.addSubcommand(args[0], command(args[0]));
    } else {
      for (var name : COMMANDS) {
        cli.addSubcommand(name, command(name));
      }
    }
    return cli;
  }

  /**
   * A new instance of the named subcommand. A switch, so that only the chosen command's class is
   * loaded (a table of constructor references would link, and load, them all).
   */
  static Object command(String name) {
    return switch (name) {
      case "validate" -> new ValidateCommand();
      case "analyze" -> new AnalyzeCommand();
      case "control" -> new ControlCommand();
      case "apply" -> new ApplyCommand();
      case "get" -> new GetCommand();
      case "delete" -> new DeleteCommand();
      case "proxy" -> new ProxyCommand();
      case "proxy-config" -> new ProxyConfigCommand();
      case "proxy-status" -> new ProxyStatusCommand();
      case "describe" -> new DescribeCommand();
      case "console" -> new ConsoleCommand();
      case "demo" -> new DemoCommand();
      case "bench" -> new BenchCommand();
      case "iptables" -> new IptablesCommand();
      case "token" -> new TokenCommand();
      case "install" -> new InstallCommand();
      case "uninstall" -> new UninstallCommand();
      case "help" -> new CommandLine.HelpCommand();
      default -> throw new IllegalArgumentException("no subcommand " + name);
    };
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
