package io.meshwork.cli.demo;

/** The demo could not start; the message is one sentence for the user (e.g. which port is taken). */
public final class DemoStartException extends Exception {
  public DemoStartException(String message) {
    super(message);
  }

  public DemoStartException(String message, Throwable cause) {
    super(message, cause);
  }
}
