package io.meshwork.config.analysis;

import io.meshwork.config.ResourceKey;

/**
 * One analysis result.
 *
 * @param code stable code and name, e.g. {@code MW0101}
 * @param severity error, warning or info
 * @param resource the resource the finding is about
 * @param path field path inside it ({@code spec.http[0].route[1].destination.host}), empty when about the whole
 * @param message one sentence saying what is wrong and, where it helps, what to do
 */
public record Finding(Code code, Severity severity, ResourceKey resource, String path, String message) {
  @Override
  public String toString() {
    return severity.label() + " [" + code.id() + " " + code.title() + "] " + resource
        + (path.isEmpty() ? "" : " " + path) + ": " + message;
  }
}
