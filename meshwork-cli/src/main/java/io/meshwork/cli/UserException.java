package io.meshwork.cli;

/** An error the user caused: printed as one sentence, no stack trace, with the given exit code. */
public final class UserException extends RuntimeException {
  private final int exitCode;

  public UserException(int exitCode, String message) {
    super(message, null, false, false);
    this.exitCode = exitCode;
  }

  public int exitCode() {
    return exitCode;
  }
}
