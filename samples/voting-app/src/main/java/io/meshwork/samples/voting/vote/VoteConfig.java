package io.meshwork.samples.voting.vote;

import io.meshwork.samples.voting.HostPort;
import io.meshwork.samples.voting.Settings;

/**
 * What the vote service reads from its environment.
 *
 * @param version {@code v1} or {@code v2} ({@code VERSION})
 * @param optionA label of option a ({@code OPTION_A}, default Cats)
 * @param optionB label of option b ({@code OPTION_B}, default Dogs)
 * @param redis {@code REDIS_ADDR}, default 127.0.0.1:6379
 * @param redisPassword {@code REDIS_PASSWORD}, empty for no AUTH
 * @param bind {@code BIND}, default 0.0.0.0
 * @param port {@code PORT}, default 8080 (0 picks a free port)
 * @param hostname shown on the page ({@code HOSTNAME}), to tell replicas apart
 */
public record VoteConfig(String version, String optionA, String optionB, HostPort redis, String redisPassword,
                         String bind, int port, String hostname) {

    public VoteConfig {
        if (!version.equals("v1") && !version.equals("v2")) {
            throw new IllegalArgumentException("VERSION='" + version + "' is not a vote version; set VERSION to v1 or v2.");
        }
    }

    public static VoteConfig from(Settings settings) {
        return new VoteConfig(
                settings.get("VERSION", "v1").trim().toLowerCase(java.util.Locale.ROOT),
                settings.get("OPTION_A", "Cats"),
                settings.get("OPTION_B", "Dogs"),
                settings.address("REDIS_ADDR", "127.0.0.1:6379"),
                settings.get("REDIS_PASSWORD", ""),
                settings.get("BIND", "0.0.0.0"),
                settings.getInt("PORT", 8080),
                hostname(settings));
    }

    /** The label of vote {@code a} or {@code b}. */
    public String label(String vote) {
        return "a".equals(vote) ? optionA : "b".equals(vote) ? optionB : "";
    }

    /**
     * {@code HOSTNAME}, else the kernel's host name; no DNS lookup, which can stall for seconds in
     * a network namespace without a resolver.
     */
    private static String hostname(Settings settings) {
        String configured = settings.get("HOSTNAME", null);
        if (configured != null) {
            return configured;
        }
        try {
            return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/sys/kernel/hostname")).trim();
        } catch (java.io.IOException | RuntimeException e) {
            return "localhost";
        }
    }
}
