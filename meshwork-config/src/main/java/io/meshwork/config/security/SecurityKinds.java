package io.meshwork.config.security;

import io.meshwork.config.Kind;
import java.util.List;

/** The security.istio.io kinds (PeerAuthentication, AuthorizationPolicy, RequestAuthentication). */
public final class SecurityKinds {
  private SecurityKinds() {}

  public static final List<Kind> ALL = List.of();
}
