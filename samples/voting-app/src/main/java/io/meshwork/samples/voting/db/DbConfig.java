package io.meshwork.samples.voting.db;

import io.meshwork.samples.voting.HostPort;
import io.meshwork.samples.voting.Settings;

/**
 * How to reach PostgreSQL: {@code DB_ADDR} (host:port, default 127.0.0.1:5432), {@code DB_USER}
 * and {@code DB_PASSWORD} (default postgres/postgres, as in the Docker sample), {@code DB_NAME}
 * (default postgres).
 */
public record DbConfig(HostPort address, String user, String password, String database) {

    public static DbConfig from(Settings settings) {
        return new DbConfig(
                settings.address("DB_ADDR", "127.0.0.1:5432"),
                settings.get("DB_USER", "postgres"),
                settings.get("DB_PASSWORD", "postgres"),
                settings.get("DB_NAME", "postgres"));
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://" + address + "/" + database;
    }

    @Override
    public String toString() {
        // Never print the password.
        return user + "@" + address + "/" + database;
    }
}
