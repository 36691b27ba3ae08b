package io.meshwork.proxy.capture;

/**
 * How inbound connections reach the proxy. Outbound capture is always a nat REDIRECT; only the
 * inbound side differs, as in Istio's {@code sidecar.istio.io/interceptionMode}.
 */
public enum InterceptionMode {
  /**
   * nat REDIRECT to the inbound port: the original destination is read with {@code
   * SO_ORIGINAL_DST}; the proxy reaches the app from 127.0.0.6, so the app sees that address.
   */
  REDIRECT,
  /**
   * mangle TPROXY to the inbound port with a firewall mark and policy routing: the connection keeps
   * its addresses (the listener's local address is the original destination), and a proxy that
   * binds its upstream socket transparently can show the app the caller's real address.
   */
  TPROXY
}
