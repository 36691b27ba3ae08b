package io.meshwork.samples.voting.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LocalPostgresTest {

    @Test
    void startsWithGeneratedPasswordAndKeepsDataAcrossRestart() throws SQLException {
        assumeTrue(LocalPostgres.binaries().isPresent(),
                "No PostgreSQL: none installed (apt-get install postgresql, or PG_BIN) and the bundled linux-x86_64 binaries do not fit this platform; see samples/voting-app/README.md");
        try (var pg = LocalPostgres.start()) {
            assertThat(pg.password()).hasSizeGreaterThanOrEqualTo(20);
            try (var c = DriverManager.getConnection(pg.jdbcUrl(), pg.user(), pg.password()); var s = c.createStatement()) {
                s.execute("CREATE TABLE kept (x INT)");
                s.execute("INSERT INTO kept VALUES (42)");
            }
            assertThatThrownBy(() -> DriverManager.getConnection(pg.jdbcUrl(), pg.user(), "not-the-password").close())
                    .isInstanceOf(SQLException.class).hasMessageContaining("password authentication failed");

            pg.restart();

            try (var c = DriverManager.getConnection(pg.jdbcUrl(), pg.user(), pg.password());
                 var s = c.createStatement(); var rows = s.executeQuery("SELECT x FROM kept")) {
                assertThat(rows.next()).isTrue();
                assertThat(rows.getInt(1)).isEqualTo(42);
            }
        }
    }

    @Test
    void aKilledServerIsSeenAsDeadAndStartsAgainWithItsCommittedRows() throws Exception {
        assumeTrue(LocalPostgres.binaries().isPresent(), "No PostgreSQL binaries; see samples/voting-app/README.md");
        try (var pg = LocalPostgres.start()) {
            long pid = pg.pid().orElseThrow();
            assertThat(ProcessHandle.of(pid)).isPresent();
            assertThat(pg.restartIfDied()).as("nothing to do while it runs").isFalse();
            try (var c = DriverManager.getConnection(pg.jdbcUrl(), pg.user(), pg.password()); var s = c.createStatement()) {
                s.execute("CREATE TABLE kept (x INT)");
                s.execute("INSERT INTO kept VALUES (7)");
            }

            ProcessHandle.of(pid).orElseThrow().destroyForcibly();
            ProcessHandle.of(pid).ifPresent(p -> p.onExit().join());
            assertThat(pg.pid()).as("a stale postmaster.pid is not a running server").isEmpty();

            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            boolean restarted = false;
            while (!restarted && System.nanoTime() < deadline) {
                try {
                    restarted = pg.restartIfDied(); // the old backends may hold shared memory for a moment
                } catch (IllegalStateException e) {
                    Thread.sleep(200);
                }
            }
            assertThat(restarted).isTrue();
            assertThat(pg.pid()).isPresent().isNotEqualTo(java.util.OptionalLong.of(pid));
            try (var c = DriverManager.getConnection(pg.jdbcUrl(), pg.user(), pg.password());
                 var s = c.createStatement(); var rows = s.executeQuery("SELECT x FROM kept")) {
                assertThat(rows.next()).isTrue();
                assertThat(rows.getInt(1)).isEqualTo(7);
            }
        }
    }

    @Test
    void bundledBinariesRunWhenNothingIsInstalled() throws SQLException {
        assumeTrue(BundledPostgres.available(), "the bundled PostgreSQL binaries are for linux x86_64 only");
        var bin = BundledPostgres.binaries().orElseThrow();
        assertThat(bin.resolve("postgres")).isExecutable();
        assertThat(BundledPostgres.binaries()).contains(bin); // unpacked once, then reused
        try (var pg = LocalPostgres.start(bin);
             var c = DriverManager.getConnection(pg.jdbcUrl(), pg.user(), pg.password());
             var s = c.createStatement(); var rows = s.executeQuery("SHOW server_version")) {
            assertThat(rows.next()).isTrue();
            assertThat(rows.getString(1)).startsWith("14.");
        }
    }
}
