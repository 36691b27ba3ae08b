package io.meshwork.config.networking;

import io.meshwork.config.schema.Constraints.Port;

/** The port of a destination service ({@code number}). */
public record PortSelector(@Port Integer number) {}
