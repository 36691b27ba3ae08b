package io.meshwork.samples.voting.result;

import io.meshwork.samples.voting.Settings;
import io.meshwork.samples.voting.db.DbConfig;

/**
 * What the result service reads: the {@link DbConfig} variables, {@code OPTION_A}/{@code OPTION_B}
 * labels, {@code BIND}, {@code PORT} (default 8081) and {@code POLL_MILLIS} (default 1000, the
 * Docker sample's one query per second).
 */
public record ResultConfig(DbConfig db, String optionA, String optionB, String bind, int port, int pollMillis) {

    public ResultConfig {
        if (pollMillis < 50) {
            throw new IllegalArgumentException("POLL_MILLIS=" + pollMillis + " is too small; set it to 50 or more.");
        }
    }

    public static ResultConfig from(Settings settings) {
        return new ResultConfig(
                DbConfig.from(settings),
                settings.get("OPTION_A", "Cats"),
                settings.get("OPTION_B", "Dogs"),
                settings.get("BIND", "0.0.0.0"),
                settings.getInt("PORT", 8081),
                settings.getInt("POLL_MILLIS", 1000));
    }
}
