package io.meshwork.kubernetes.sync;

import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts the adds a handler has been given, so that start-up can wait for the handlers and not only
 * for the informers. An informer reports {@code hasSynced} once its initial list is in its own
 * cache, but hands the objects to its handler afterwards on another thread; until the handler has
 * seen them the store lacks them, and a proxy connecting then would get a partial mesh (seen as a
 * flaky test: a VirtualService listed but not yet stored).
 */
final class Delivered<T> implements ResourceEventHandler<T> {
  private final ResourceEventHandler<T> handler;
  private final AtomicLong adds = new AtomicLong();

  Delivered(ResourceEventHandler<T> handler) {
    this.handler = handler;
  }

  /** Adds handled so far (each object of the initial list is one add). */
  long adds() {
    return adds.get();
  }

  @Override
  public void onAdd(T obj) {
    try {
      handler.onAdd(obj);
    } finally {
      adds.incrementAndGet();
    }
  }

  @Override
  public void onUpdate(T oldObj, T newObj) {
    handler.onUpdate(oldObj, newObj);
  }

  @Override
  public void onDelete(T obj, boolean deletedFinalStateUnknown) {
    handler.onDelete(obj, deletedFinalStateUnknown);
  }

  @Override
  public void onNothing() {
    handler.onNothing();
  }
}
