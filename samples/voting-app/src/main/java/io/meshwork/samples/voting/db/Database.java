package io.meshwork.samples.voting.db;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

/**
 * One lazily opened JDBC connection, thrown away after any failure so the next use dials again.
 * That is all the reconnect logic a PostgreSQL restart needs.
 *
 * <p>Not thread-safe: each service uses it from a single loop thread.
 */
public final class Database implements AutoCloseable {
    /** The table both worker and result rely on; created by whichever starts first. */
    public static final String CREATE_TABLE =
            "CREATE TABLE IF NOT EXISTS votes (id VARCHAR(255) PRIMARY KEY, vote VARCHAR(255) NOT NULL)";

    private final DbConfig config;
    private Connection connection;

    public Database(DbConfig config) {
        this.config = config;
    }

    public DbConfig config() {
        return config;
    }

    /** The open connection, connecting (and creating the table) if there is none. */
    public Connection connection() throws SQLException {
        if (connection == null) {
            var props = new Properties();
            props.setProperty("user", config.user());
            props.setProperty("password", config.password());
            props.setProperty("connectTimeout", "3");
            props.setProperty("socketTimeout", "10");
            props.setProperty("tcpKeepAlive", "true");
            props.setProperty("ApplicationName", "meshwork-voting");
            Connection opened = DriverManager.getConnection(config.jdbcUrl(), props);
            try {
                createTable(opened);
            } catch (SQLException e) {
                closeQuietly(opened);
                throw e;
            }
            connection = opened;
        }
        return connection;
    }

    /**
     * Runs {@link #CREATE_TABLE}. Two sessions racing through {@code IF NOT EXISTS} can make the
     * loser fail on the catalog's unique index (23505), see the table appear (42P07) or see its row
     * type appear ({@code type "votes" already exists}, 42710); either way the table now exists,
     * which is all the caller wanted.
     */
    public static void createTable(Connection connection) throws SQLException {
        try (var statement = connection.createStatement()) {
            statement.execute(CREATE_TABLE);
        } catch (SQLException e) {
            var state = e.getSQLState();
            if (!"23505".equals(state) && !"42P07".equals(state) && !"42710".equals(state)) {
                throw e;
            }
            if (!connection.getAutoCommit()) {
                connection.rollback();
            }
        }
    }

    /** Drops the connection after a failure; the next {@link #connection()} reconnects. */
    public void reset() {
        if (connection != null) {
            closeQuietly(connection);
            connection = null;
        }
    }

    @Override
    public void close() {
        reset();
    }

    private static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException ignored) {
            // The connection is being abandoned.
        }
    }
}
