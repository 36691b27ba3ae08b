package io.meshwork.proxy;

/** The proxy could not start (a port in use, an address not on this host): one sentence for the user. */
public final class ProxyStartException extends Exception {
  public ProxyStartException(String message, Throwable cause) {
    super(message, cause, false, false);
  }
}
