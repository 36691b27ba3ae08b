package io.meshwork.control.store;

import io.meshwork.config.ResourceKey;
import java.util.Set;

/** Sent to watchers after every committed change: the new revision and the keys that changed. */
public record StoreEvent(long revision, Set<ResourceKey> changed) {}
