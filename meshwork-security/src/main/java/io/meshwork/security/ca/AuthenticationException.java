package io.meshwork.security.ca;

/** A caller could not prove its identity; the message is safe to return to the caller (it holds no secret). */
public final class AuthenticationException extends Exception {
  public AuthenticationException(String message) {
    super(message);
  }
}
