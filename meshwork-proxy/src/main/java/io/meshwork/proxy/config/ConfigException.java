package io.meshwork.proxy.config;

/**
 * A resource that parsed as a proto but cannot be served (a route naming a cluster that does not
 * exist, an unsupported cluster type). The message starts with the field path.
 */
public final class ConfigException extends Exception {
  public ConfigException(String path, String message) {
    super(path + ": " + message, null, false, false);
  }
}
