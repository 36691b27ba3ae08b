/** The {@code meshwork} command line: one picocli subcommand per class, wired in {@link io.meshwork.cli.Main}. */
package io.meshwork.cli;
