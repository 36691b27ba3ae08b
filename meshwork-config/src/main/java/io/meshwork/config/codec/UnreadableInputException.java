package io.meshwork.config.codec;

/** An input that cannot be read as YAML or JSON text at all (missing, unreadable, binary). */
public final class UnreadableInputException extends RuntimeException {
  public UnreadableInputException(String message) {
    super(message, null, false, false);
  }
}
