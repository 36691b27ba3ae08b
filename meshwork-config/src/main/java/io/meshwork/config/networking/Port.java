package io.meshwork.config.networking;

import io.meshwork.config.schema.Constraints.Required;

/**
 * A port a Gateway server listens on: number (0 with a {@code unix://} bind), protocol, name.
 * {@code targetPort} is deprecated and has no effect on gateways; the server checks it.
 */
public record Port(@Required Long number, String protocol, String name, Long targetPort) {}
