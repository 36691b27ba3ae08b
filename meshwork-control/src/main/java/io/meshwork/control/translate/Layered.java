package io.meshwork.control.translate;

import java.util.AbstractMap;
import java.util.Collections;
import java.util.Comparator;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One proxy's resources of one type: a map shared by every proxy of the same outbound scope
 * ({@code shared}, built once per push) with the proxy's own entries on top ({@code own}: inbound
 * clusters, virtualInbound, local-mode binds; an own entry wins over a shared one of the same name,
 * as the later {@code put} did when one map was filled for each proxy).
 *
 * <p>Why a view and not a copy: copying 2,000 shared clusters into each of 1,000 proxies' maps was
 * a tenth of a push, and two views over the same shared instance with equal own parts are known to
 * be equal without comparing 2,000 resources ({@link #sameContent}), which lets a push skip the
 * types a change cannot have touched. The sorted merge is built on first iteration and kept.
 *
 * @param <V> the resource type
 */
public final class Layered<V> extends AbstractMap<String, V> implements SortedMap<String, V> {
  private final SortedMap<String, V> shared;
  private final SortedMap<String, V> own;
  private volatile SortedMap<String, V> merged;

  private Layered(SortedMap<String, V> shared, SortedMap<String, V> own) {
    this.shared = shared;
    this.own = own;
  }

  /** {@code shared} itself when the proxy adds nothing of this type (so it keeps its identity), else a view. */
  static <V> SortedMap<String, V> of(SortedMap<String, V> shared, Map<String, V> own) {
    if (own.isEmpty()) {
      return shared;
    }
    return new Layered<>(shared, Collections.unmodifiableSortedMap(new TreeMap<>(own)));
  }

  /**
   * Whether two maps of resources are known to hold the same content without walking them: the
   * same instance, or two views over the same shared map with equal own entries. False means
   * "compare them", not "they differ".
   */
  public static boolean sameContent(Map<String, ?> a, Map<String, ?> b) {
    if (a == b) {
      return true;
    }
    return a instanceof Layered<?> la && b instanceof Layered<?> lb && la.shared == lb.shared && la.own.equals(lb.own);
  }

  private SortedMap<String, V> merged() {
    var m = merged;
    if (m == null) {
      var t = new TreeMap<>(shared);
      t.putAll(own);
      m = Collections.unmodifiableSortedMap(t);
      merged = m;
    }
    return m;
  }

  @Override
  public V get(Object key) {
    var v = own.get(key);
    return v != null ? v : shared.get(key);
  }

  @Override
  public boolean containsKey(Object key) {
    return own.containsKey(key) || shared.containsKey(key);
  }

  @Override
  public int size() {
    return merged().size();
  }

  @Override
  public Set<Entry<String, V>> entrySet() {
    return merged().entrySet();
  }

  @Override
  public Set<String> keySet() {
    return merged().keySet();
  }

  @Override
  public java.util.Collection<V> values() {
    return merged().values();
  }

  @Override
  public Comparator<? super String> comparator() {
    return merged().comparator();
  }

  @Override
  public SortedMap<String, V> subMap(String fromKey, String toKey) {
    return merged().subMap(fromKey, toKey);
  }

  @Override
  public SortedMap<String, V> headMap(String toKey) {
    return merged().headMap(toKey);
  }

  @Override
  public SortedMap<String, V> tailMap(String fromKey) {
    return merged().tailMap(fromKey);
  }

  @Override
  public String firstKey() {
    return merged().firstKey();
  }

  @Override
  public String lastKey() {
    return merged().lastKey();
  }

  @Override
  public V put(String key, V value) {
    throw new UnsupportedOperationException();
  }

  @Override
  public V remove(Object key) {
    throw new UnsupportedOperationException();
  }

  @Override
  public void clear() {
    throw new UnsupportedOperationException();
  }
}
