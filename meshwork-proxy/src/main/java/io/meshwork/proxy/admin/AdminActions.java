package io.meshwork.proxy.admin;

/** The mutating admin operations, implemented by the running proxy. */
public interface AdminActions {
  /** {@code POST /drain_listeners}: stop accepting new connections; open ones finish. */
  void drainListeners();

  /** {@code POST /quitquitquit}: shut the proxy down (after the reply is sent). */
  void quit();
}
