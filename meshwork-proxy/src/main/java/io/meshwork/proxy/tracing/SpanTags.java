package io.meshwork.proxy.tracing;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * A span's tags in insertion order, stored as one array of key/value pairs. A span has about twenty
 * tags that are written once and read once by an encoder, so hashing them into a
 * {@code LinkedHashMap} (a node per tag and a table resize or two) was the largest cost of turning a
 * finished exchange into a span. Read-only once built; {@link #put} replaces a key in place, as a
 * map does, so a custom tag may override a standard one.
 */
final class SpanTags extends AbstractMap<String, String> {
  private String[] kv = new String[48];
  private int size;

  /** Appends a tag the caller knows is not present yet (the standard tags). */
  void add(String key, String value) {
    if (size * 2 == kv.length) {
      kv = Arrays.copyOf(kv, kv.length * 2);
    }
    kv[size * 2] = key;
    kv[size * 2 + 1] = value;
    size++;
  }

  @Override
  public String put(String key, String value) {
    for (int i = 0; i < size; i++) {
      if (kv[i * 2].equals(key)) {
        var old = kv[i * 2 + 1];
        kv[i * 2 + 1] = value;
        return old;
      }
    }
    add(key, value);
    return null;
  }

  @Override
  public String get(Object key) {
    for (int i = 0; i < size; i++) {
      if (kv[i * 2].equals(key)) {
        return kv[i * 2 + 1];
      }
    }
    return null;
  }

  @Override
  public boolean containsKey(Object key) {
    for (int i = 0; i < size; i++) {
      if (kv[i * 2].equals(key)) {
        return true;
      }
    }
    return false;
  }

  @Override
  public int size() {
    return size;
  }

  @Override
  public Set<Entry<String, String>> entrySet() {
    return new AbstractSet<>() {
      @Override
      public Iterator<Entry<String, String>> iterator() {
        return new Iterator<>() {
          private int i;

          @Override
          public boolean hasNext() {
            return i < size;
          }

          @Override
          public Entry<String, String> next() {
            if (i >= size) {
              throw new NoSuchElementException();
            }
            var e = new SimpleImmutableEntry<>(kv[i * 2], kv[i * 2 + 1]);
            i++;
            return e;
          }
        };
      }

      @Override
      public int size() {
        return size;
      }
    };
  }
}
