package io.meshwork.config.telemetry;

import io.meshwork.config.schema.Constraints.MinLength;
import io.meshwork.config.schema.Constraints.Required;

/** Names an extension provider of meshConfig ({@code prometheus}, {@code envoy}, {@code otel}, ...). */
public record ProviderRef(@Required @MinLength(1) String name) {}
