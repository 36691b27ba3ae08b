package io.meshwork.control.store;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshwork.config.Resource;
import io.meshwork.config.ResourceKey;
import io.meshwork.config.codec.LoadedDocument;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Holds validated resources. Every write is a batch that is applied whole or not at all: one
 * invalid document rejects the batch with every error. Readers get an immutable {@link Snapshot}
 * (copy on write), so translation never sees a half-applied batch. Each stored resource carries
 * {@code metadata.resourceVersion}, the store revision of its last change, as Kubernetes does.
 *
 * <p>Resources have an owner (the REST API, the config directory, an auto-registered proxy): a
 * {@link #sync} replaces exactly what one owner holds, which is how a directory edit removes what
 * was deleted from the directory without touching what {@code meshwork apply} wrote.
 */
public final class ConfigStore {
  private static final Logger LOG = Logger.getLogger(ConfigStore.class.getName());

  /** The owner of resources written through the REST API. */
  public static final String API = "api";

  private final Object lock = new Object();
  private final List<Consumer<StoreEvent>> watchers = new CopyOnWriteArrayList<>();
  private volatile Snapshot snapshot = new Snapshot(0, Map.of());
  private final Map<ResourceKey, String> owners = new HashMap<>();

  /**
   * An immutable view of the store at one revision, in insertion order.
   *
   * @param byKind the resources grouped by {@code group/kind}, built once per revision: translation
   *     asks for one kind per proxy (Telemetry, AuthorizationPolicy), and scanning every resource for
   *     each of 1,000 proxies cost more than the translation itself
   */
  public record Snapshot(long revision, Map<ResourceKey, Resource> resources, Map<String, List<Resource>> byKind) {
    public Snapshot(long revision, Map<ResourceKey, Resource> resources) {
      this(revision, resources, index(resources));
    }

    private static Map<String, List<Resource>> index(Map<ResourceKey, Resource> resources) {
      var out = new HashMap<String, List<Resource>>();
      for (var r : resources.values()) {
        out.computeIfAbsent(r.kind().group() + "/" + r.kind().kind(), k -> new java.util.ArrayList<>()).add(r);
      }
      out.replaceAll((k, v) -> List.copyOf(v));
      return java.util.Collections.unmodifiableMap(out);
    }

    public List<Resource> ofKind(String group, String kind) {
      return byKind.getOrDefault(group + "/" + kind, List.of());
    }

    public <S> List<Typed<S>> specs(String group, String kind, Class<S> type) {
      return ofKind(group, kind).stream().map(r -> new Typed<>(r, r.spec(type))).toList();
    }

    public Resource get(ResourceKey key) {
      return resources.get(key);
    }
  }

  /** A resource with its spec already cast. */
  public record Typed<S>(Resource resource, S spec) {
    public String name() {
      return resource.name();
    }

    public String namespace() {
      return resource.namespace();
    }
  }

  public Snapshot snapshot() {
    return snapshot;
  }

  /** Registers a watcher, called (on the writer's thread, after the commit) for every change. */
  public void watch(Consumer<StoreEvent> watcher) {
    watchers.add(watcher);
  }

  /** Creates or replaces every resource of the batch, owned by {@code owner}; all or nothing. */
  public ApplyResult apply(String owner, List<LoadedDocument> docs) {
    var errors = errorsOf(docs);
    if (!errors.isEmpty()) {
      return ApplyResult.rejected(errors, snapshot.revision());
    }
    return write(owner, docs.stream().map(LoadedDocument::resource).toList(), List.of(), false);
  }

  /** Writes already validated resources (auto-registration); all or nothing. */
  public ApplyResult put(String owner, List<Resource> resources) {
    return write(owner, resources, List.of(), false);
  }

  /** Deletes the given keys; keys that do not exist are reported as {@code NOT_FOUND}. */
  public ApplyResult delete(List<ResourceKey> keys) {
    return write(null, List.of(), keys, false);
  }

  /**
   * Makes {@code owner}'s resources exactly {@code docs}: an invalid document rejects the whole
   * sync (the previous resources keep serving), resources the owner no longer has are deleted.
   */
  public ApplyResult sync(String owner, List<LoadedDocument> docs) {
    var errors = errorsOf(docs);
    if (!errors.isEmpty()) {
      return ApplyResult.rejected(errors, snapshot.revision());
    }
    var keep = new HashSet<ResourceKey>();
    docs.forEach(d -> keep.add(d.resource().key()));
    List<ResourceKey> gone;
    synchronized (lock) {
      gone = owners.entrySet().stream()
          .filter(e -> e.getValue().equals(owner) && !keep.contains(e.getKey())).map(Map.Entry::getKey).toList();
    }
    return write(owner, docs.stream().map(LoadedDocument::resource).toList(), gone, true);
  }

  private static List<String> errorsOf(List<LoadedDocument> docs) {
    var errors = new ArrayList<String>();
    for (var d : docs) {
      for (var e : d.errors()) {
        errors.add(d.source().label() + " " + d.title() + ": " + e);
      }
    }
    return errors;
  }

  private ApplyResult write(String owner, List<Resource> puts, Collection<ResourceKey> deletes, boolean quietDeletes) {
    StoreEvent event;
    ApplyResult result;
    synchronized (lock) {
      var current = snapshot;
      long rev = current.revision() + 1;
      var next = new LinkedHashMap<>(current.resources());
      var changes = new ArrayList<ApplyResult.Change>();
      var changed = new HashSet<ResourceKey>();
      var newOwners = new HashMap<ResourceKey, String>();
      for (var r : puts) {
        var key = r.key();
        var old = next.get(key);
        if (old != null && sameContent(old, r)) {
          changes.add(new ApplyResult.Change(key, ApplyResult.Action.UNCHANGED, old.metadata().resourceVersion()));
          newOwners.put(key, owner);
          continue;
        }
        var stored = new Resource(r.kind(), r.apiVersion(), r.metadata().withResourceVersion(Long.toString(rev)), r.spec());
        next.put(key, stored);
        newOwners.put(key, owner);
        changed.add(key);
        changes.add(new ApplyResult.Change(key, old == null ? ApplyResult.Action.CREATED : ApplyResult.Action.CONFIGURED, Long.toString(rev)));
      }
      for (var key : deletes) {
        if (next.remove(key) != null) {
          changed.add(key);
          owners.remove(key);
          changes.add(new ApplyResult.Change(key, ApplyResult.Action.DELETED, Long.toString(rev)));
        } else if (!quietDeletes) {
          changes.add(new ApplyResult.Change(key, ApplyResult.Action.NOT_FOUND, null));
        }
      }
      owners.putAll(newOwners);
      if (changed.isEmpty()) {
        return new ApplyResult(changes, List.of(), current.revision());
      }
      snapshot = new Snapshot(rev, java.util.Collections.unmodifiableMap(next));
      result = new ApplyResult(changes, List.of(), rev);
      event = new StoreEvent(rev, Set.copyOf(changed));
    }
    for (var w : watchers) {
      try {
        w.accept(event);
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "a store watcher failed", e);
      }
    }
    return result;
  }

  /** Whether two resources differ only in resourceVersion (a re-apply of the same content is a no-op). */
  static boolean sameContent(Resource a, Resource b) {
    if (!Objects.equals(a.spec(), b.spec()) || !a.apiVersion().equals(b.apiVersion())) {
      return false;
    }
    JsonNode ma = io.meshwork.config.schema.Binder.toJson(a.metadata().withResourceVersion(null));
    JsonNode mb = io.meshwork.config.schema.Binder.toJson(b.metadata().withResourceVersion(null));
    return ma.equals(mb);
  }
}
