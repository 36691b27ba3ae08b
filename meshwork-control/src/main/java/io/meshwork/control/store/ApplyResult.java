package io.meshwork.control.store;

import io.meshwork.config.ResourceKey;
import java.util.List;

/**
 * The outcome of one batch write. When {@link #errors} is not empty nothing was changed.
 *
 * @param changes one entry per document of the batch, in order (empty when rejected)
 * @param errors every error of the batch, each naming its document
 * @param revision the store revision after the write
 */
public record ApplyResult(List<Change> changes, List<String> errors, long revision) {

  /** What a write did to one resource. */
  public enum Action { CREATED, CONFIGURED, UNCHANGED, DELETED, NOT_FOUND }

  /** One resource's outcome. */
  public record Change(ResourceKey key, Action action, String resourceVersion) {}

  public boolean ok() {
    return errors.isEmpty();
  }

  static ApplyResult rejected(List<String> errors, long revision) {
    return new ApplyResult(List.of(), List.copyOf(errors), revision);
  }
}
