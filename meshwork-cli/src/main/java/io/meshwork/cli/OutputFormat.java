package io.meshwork.cli;

/** The {@code -o} choices shared by commands that print results. */
enum OutputFormat {
  text,
  json,
  yaml
}
