package io.meshwork.samples.voting.worker;

import io.meshwork.samples.voting.HostPort;
import io.meshwork.samples.voting.Settings;
import io.meshwork.samples.voting.db.DbConfig;

/**
 * What the worker reads: {@code REDIS_ADDR}, {@code REDIS_PASSWORD}, the {@link DbConfig}
 * variables, and optionally {@code PORT}/{@code BIND} for a {@code /healthz} endpoint (the worker
 * serves nothing else; with no PORT it listens on nothing, like the Docker sample's worker).
 */
public record WorkerConfig(HostPort redis, String redisPassword, DbConfig db, String bind, int port) {

    /** Port value meaning "no health endpoint". */
    public static final int NO_PORT = -1;

    public static WorkerConfig from(Settings settings) {
        return new WorkerConfig(
                settings.address("REDIS_ADDR", "127.0.0.1:6379"),
                settings.get("REDIS_PASSWORD", ""),
                DbConfig.from(settings),
                settings.get("BIND", "0.0.0.0"),
                settings.getInt("PORT", NO_PORT));
    }
}
