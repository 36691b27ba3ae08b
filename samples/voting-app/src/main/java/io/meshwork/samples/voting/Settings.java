package io.meshwork.samples.voting;

import java.util.HashMap;
import java.util.Map;

/**
 * A service's settings: environment variables, overridden by {@code --NAME=value} flags.
 *
 * <p>Flags and variables share one namespace ({@code --redis-addr=h:p} is {@code REDIS_ADDR}) so a
 * mesh can point a service at a sidecar-served address with whichever is easier to inject.
 */
public final class Settings {
    private final Map<String, String> values;

    private Settings(Map<String, String> values) {
        this.values = Map.copyOf(values);
    }

    /** Settings from the process environment overridden by {@code args}. */
    public static Settings fromEnvironmentAndArgs(String... args) {
        return of(System.getenv(), args);
    }

    /** Settings from {@code env} overridden by {@code --NAME=value} flags in {@code args}. */
    public static Settings of(Map<String, String> env, String... args) {
        var merged = new HashMap<String, String>(env);
        for (String arg : args) {
            if (!arg.startsWith("--")) {
                throw new IllegalArgumentException("Argument '" + arg + "' is not a --NAME=value flag; write it as --NAME=value.");
            }
            int eq = arg.indexOf('=');
            if (eq < 0) {
                throw new IllegalArgumentException("Flag '" + arg + "' has no value; write it as " + arg + "=value.");
            }
            merged.put(normalize(arg.substring(2, eq)), arg.substring(eq + 1));
        }
        return new Settings(merged);
    }

    /** A copy with {@code name} set to {@code value} (tests and launchers). */
    public Settings with(String name, String value) {
        var copy = new HashMap<>(values);
        copy.put(normalize(name), value);
        return new Settings(copy);
    }

    public String get(String name, String fallback) {
        String value = values.get(normalize(name));
        return value == null || value.isBlank() ? fallback : value;
    }

    public int getInt(String name, int fallback) {
        String value = get(name, null);
        if (value == null) {
            return fallback;
        }
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + "='" + value + "' is not a number; set " + name + " to an integer.", e);
        }
    }

    /** A {@code host:port} setting such as {@code REDIS_ADDR}. */
    public HostPort address(String name, String fallback) {
        return HostPort.parse(name, get(name, fallback));
    }

    private static String normalize(String name) {
        return name.trim().toUpperCase(java.util.Locale.ROOT).replace('-', '_');
    }
}
