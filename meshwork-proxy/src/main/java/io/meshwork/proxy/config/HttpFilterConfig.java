package io.meshwork.proxy.config;

/** An HTTP filter that runs before the router, in the order the HCM lists it. */
public sealed interface HttpFilterConfig permits FaultConfig, CorsConfig, RbacConfig, JwtAuthnConfig, PathNormalizationConfig,
    AlpnOverrideConfig {}
