package io.meshwork.proxy.config;

/**
 * What route matching may look at in a request, independent of the codec (HTTP/1.1 now, h2 later).
 * Header names are looked up case-insensitively; pseudo-headers {@code :method}, {@code :path},
 * {@code :authority} and {@code :scheme} are answered from the request line.
 */
public interface RequestHead {
  String method();

  /** The path without the query string. */
  String path();

  /** The raw query string without '?', or "" when absent. */
  String query();

  String authority();

  String scheme();

  /** All values of a header joined with ",", or null when absent. */
  String header(String name);
}
