package io.meshwork.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.junit.jupiter.api.Test;

/** The root command registers only the subcommand it runs, yet help and suggestions still see them all. */
class MainSubcommandsTest {

  @Test
  void eachNameBuildsTheCommandOfThatName() {
    for (var name : Main.COMMANDS) {
      var sub = Main.commandLine().getSubcommands().get(name);
      assertThat(sub).as(name).isNotNull();
      assertThat(sub.getCommandName()).as("the @Command name of " + name).isEqualTo(name);
    }
  }

  @Test
  void aNamedSubcommandIsTheOnlyOneRegistered() {
    assertThat(Main.commandLine("proxy", "--help").getSubcommands().keySet()).isEqualTo(Set.of("proxy"));
    assertThat(Main.commandLine("bench", "compare", "--help").getSubcommands().keySet()).isEqualTo(Set.of("bench"));
  }

  @Test
  void noCommandHelpOrATypoRegistersAll() {
    assertThat(Main.commandLine().getSubcommands().keySet()).containsExactlyElementsOf(Main.COMMANDS);
    assertThat(Main.commandLine("--help").getSubcommands().keySet()).containsExactlyElementsOf(Main.COMMANDS);
    assertThat(Main.commandLine("help", "proxy").getSubcommands().keySet()).containsExactlyElementsOf(Main.COMMANDS);
    assertThat(Main.commandLine("proxi").getSubcommands().keySet()).containsExactlyElementsOf(Main.COMMANDS);
  }

  @Test
  void helpAndUsageStillWork() {
    var root = CliRunner.run("--help");
    assertThat(root.exitCode()).isZero();
    assertThat(root.out()).contains("proxy-status", "uninstall", "bench");
    var proxy = CliRunner.run("proxy", "--help");
    assertThat(proxy.exitCode()).isZero();
    assertThat(proxy.out()).contains("Usage: meshwork proxy", "--bootstrap");
    var viaHelp = CliRunner.run("help", "proxy");
    assertThat(viaHelp.exitCode()).isZero();
    assertThat(viaHelp.out()).contains("Usage: meshwork proxy");
    var typo = CliRunner.run("proxi");
    assertThat(typo.exitCode()).isEqualTo(2);
    assertThat(typo.err()).contains("proxi");
  }
}
