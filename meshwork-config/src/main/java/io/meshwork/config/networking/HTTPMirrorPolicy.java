package io.meshwork.config.networking;

import io.meshwork.config.schema.Constraints.Required;

/** One mirror target: a copy of {@code percentage} of the requests goes to {@code destination}, answers ignored. */
public record HTTPMirrorPolicy(@Required Destination destination, Percent percentage) {}
