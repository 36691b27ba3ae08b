package io.meshwork.config.networking;

/**
 * A percentage from 0 to 100 (fractions allowed). The allowed range depends on the field (fault
 * injection accepts 0 or 0.0001..100, mirrors 0..100), so the owning record checks it.
 */
public record Percent(double value) {}
