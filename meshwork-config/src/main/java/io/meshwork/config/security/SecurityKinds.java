package io.meshwork.config.security;

import io.meshwork.config.Kind;
import java.util.List;

/** The security.istio.io kinds (PeerAuthentication, AuthorizationPolicy, RequestAuthentication). */
public final class SecurityKinds {
  private SecurityKinds() {}

  private static final String GROUP = "security.istio.io";
  private static final List<String> VERSIONS = List.of("v1", "v1beta1");

  public static final Kind PEER_AUTHENTICATION =
      Kind.istio(GROUP, "PeerAuthentication", "peerauthentications", VERSIONS, PeerAuthentication.class, false);
  public static final Kind AUTHORIZATION_POLICY =
      Kind.istio(GROUP, "AuthorizationPolicy", "authorizationpolicies", VERSIONS, AuthorizationPolicy.class, false);
  public static final Kind REQUEST_AUTHENTICATION =
      Kind.istio(GROUP, "RequestAuthentication", "requestauthentications", VERSIONS, RequestAuthentication.class, false);

  public static final List<Kind> ALL = List.of(PEER_AUTHENTICATION, AUTHORIZATION_POLICY, REQUEST_AUTHENTICATION);
}
