package io.meshwork.proxy.admin;

/** The mutating admin operations, implemented by the running proxy. */
public interface AdminActions {
  /** {@code POST /drain_listeners}: stop accepting new connections; open ones finish. */
  void drainListeners();

  /** {@code POST /quitquitquit}: shut the proxy down (after the reply is sent). */
  void quit();

  /** The proxy's SDS secrets, for {@code /config_dump} (never their keys); null when it has none. */
  default io.meshwork.proxy.mtls.SecretStore secrets() {
    return null;
  }
}
