package io.meshwork.samples.voting.local;

import io.meshwork.samples.voting.HostPort;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A throw-away PostgreSQL cluster for one run: {@code initdb} into a temporary directory, then
 * {@code pg_ctl start} on a free loopback port, with a generated password (SCRAM) for user
 * {@value #USER} and database {@value #DATABASE}.
 *
 * <p>PostgreSQL refuses to run as root, so when this JVM is root every command runs through
 * {@code setpriv} as the {@code postgres} user (or {@code nobody} if there is none), and the
 * directory is handed to that user. The binaries are found from {@code PG_BIN}, then
 * {@code initdb} on PATH, then the newest {@code /usr/lib/postgresql/N/bin}, then the
 * {@link BundledPostgres bundled} ones, so a JDK is enough on linux x86_64.
 */
public final class LocalPostgres implements AutoCloseable {
    public static final String USER = "voting";
    public static final String DATABASE = "postgres";

    private final Path bin;
    private final Path dir;
    private final List<String> asUser;
    private final int port;
    private final String password;
    private boolean running;

    private LocalPostgres(Path bin, Path dir, List<String> asUser, int port, String password) {
        this.bin = bin;
        this.dir = dir;
        this.asUser = asUser;
        this.port = port;
        this.password = password;
    }

    /** The directory holding initdb, pg_ctl and postgres, if PostgreSQL is installed. */
    public static Optional<Path> installedBinaries() {
        String explicit = System.getenv("PG_BIN");
        if (explicit != null && !explicit.isBlank()) {
            return Optional.of(Path.of(explicit)).filter(LocalPostgres::complete);
        }
        Optional<Path> fromPath = Processes.onPath("initdb", true).map(Path::getParent).filter(LocalPostgres::complete);
        if (fromPath.isPresent()) {
            return fromPath;
        }
        Path root = Path.of("/usr/lib/postgresql");
        if (!Files.isDirectory(root)) {
            return Optional.empty();
        }
        try (Stream<Path> versions = Files.list(root)) {
            return versions.map(v -> v.resolve("bin"))
                    .filter(LocalPostgres::complete)
                    .max(Comparator.comparingInt(LocalPostgres::majorVersion));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** Installed binaries if any, else the bundled ones ({@link BundledPostgres}) if on the class path. */
    public static Optional<Path> binaries() {
        return installedBinaries().or(BundledPostgres::binaries);
    }

    /** Creates and starts a cluster with {@link #binaries()}. */
    public static LocalPostgres start() {
        return start(binaries().orElseThrow(() -> new IllegalStateException(
                "PostgreSQL is not installed and the bundled binaries are missing or not for this platform;"
                + " install it (apt-get install postgresql) or set PG_BIN.")));
    }

    /** Creates and starts a cluster with the binaries in {@code bin}. */
    public static LocalPostgres start(Path bin) {
        List<String> asUser = List.of();
        Path dir;
        try {
            dir = Files.createTempDirectory("meshwork-pg");
            if (Processes.runningAsRoot()) {
                String user = userExists("postgres") ? "postgres" : "nobody";
                asUser = List.of("setpriv", "--reuid=" + user, "--regid=" + primaryGroup(user), "--clear-groups", "--");
                Processes.run(List.of("chown", user + ":" + primaryGroup(user), dir.toString()), Path.of("/dev/null"), 10);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create a temporary directory for PostgreSQL: " + e.getMessage(), e);
        }
        var pg = new LocalPostgres(bin, dir, asUser, Processes.freePort(), Processes.password());
        try {
            pg.initdb();
            pg.startAgain();
        } catch (RuntimeException e) {
            try {
                pg.close();
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        return pg;
    }

    public HostPort address() {
        return new HostPort("127.0.0.1", port);
    }

    public String user() {
        return USER;
    }

    public String password() {
        return password;
    }

    public String database() {
        return DATABASE;
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://" + address() + "/" + DATABASE;
    }

    /**
     * The postmaster's process id from {@code postmaster.pid}, if the file is there and the process
     * lives; empty when the server is stopped or was killed (a stale file is ignored).
     */
    public java.util.OptionalLong pid() {
        Path pidFile = data().resolve("postmaster.pid");
        try {
            var lines = Files.readAllLines(pidFile);
            if (lines.isEmpty()) {
                return java.util.OptionalLong.empty();
            }
            long pid = Long.parseLong(lines.getFirst().trim());
            return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).isPresent() ? java.util.OptionalLong.of(pid) : java.util.OptionalLong.empty();
        } catch (IOException | NumberFormatException e) {
            return java.util.OptionalLong.empty();
        }
    }

    /**
     * Starts the server again if it was supposed to run but its postmaster is gone (killed from
     * outside), as a container restart policy would; returns whether it restarted. Crash recovery
     * replays the WAL, so every committed row is back.
     */
    public synchronized boolean restartIfDied() {
        if (!running || pid().isPresent()) {
            return false;
        }
        running = false;
        try {
            startAgain();
        } catch (RuntimeException e) {
            running = true; // still meant to run: the next call tries again
            throw e;
        }
        return true;
    }

    /** Fast shutdown: open sessions are cut, committed data stays. */
    public synchronized void stop() {
        // The pid file, not our flag, says whether a server runs: it may have died on its own
        // (Ctrl-C reaches the whole process group) or been left by a start that timed out.
        if (Files.exists(data().resolve("postmaster.pid")) && pid().isPresent()) {
            Processes.run(Processes.concat(asUser, pgCtl(), "-D", data().toString(), "-m", "fast", "-w", "-t", "30", "stop"), log(), 40);
        }
        running = false;
    }

    /**
     * Immediate shutdown, PostgreSQL's stand-in for a crash: every process quits without a
     * checkpoint and the next start runs crash recovery from the WAL.
     */
    public synchronized void crash() {
        if (Files.exists(data().resolve("postmaster.pid"))) {
            Processes.run(Processes.concat(asUser, pgCtl(), "-D", data().toString(), "-m", "immediate", "-w", "-t", "30", "stop"), log(), 40);
        }
        running = false;
    }

    /** Starts (again) on the same port with the same data and password. */
    public synchronized void startAgain() {
        if (running) {
            return;
        }
        String options = "-c listen_addresses=127.0.0.1 -p " + port + " -c unix_socket_directories=" + dir + " -c fsync=off -c max_connections=50";
        Processes.run(Processes.concat(asUser, pgCtl(), "-D", data().toString(), "-l", dir.resolve("postgres.log").toString(),
                "-o", options, "-w", "-t", "30", "start"), log(), 40);
        running = true;
        awaitLogin();
    }

    /** {@link #stop()} then {@link #startAgain()}. */
    public void restart() {
        stop();
        startAgain();
    }

    @Override
    public void close() {
        try {
            stop();
        } finally {
            Processes.deleteTree(dir);
        }
    }

    private void initdb() {
        Path pwfile = dir.resolve("pwfile");
        try {
            Files.writeString(pwfile, password + "\n");
            if (!asUser.isEmpty()) {
                Processes.run(List.of("chown", "--reference=" + dir, pwfile.toString()), log(), 10);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write the PostgreSQL password file: " + e.getMessage(), e);
        }
        try {
            Processes.run(Processes.concat(asUser, bin.resolve("initdb").toString(), "-D", data().toString(),
                    "-U", USER, "--pwfile=" + pwfile, "--auth=scram-sha-256", "-E", "UTF8", "--no-locale", "--no-sync"), log(), 120);
        } finally {
            try {
                Files.deleteIfExists(pwfile);
            } catch (IOException ignored) {
                // It is in a private temp dir deleted at close anyway.
            }
        }
    }

    private void awaitLogin() {
        var props = new Properties();
        props.setProperty("user", USER);
        props.setProperty("password", password);
        props.setProperty("connectTimeout", "2");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        SQLException last = null;
        while (System.nanoTime() < deadline) {
            try {
                DriverManager.getConnection(jdbcUrl(), props).close();
                return;
            } catch (SQLException e) {
                last = e;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        throw new IllegalStateException("PostgreSQL on " + address() + " did not accept a login within 20 s: " + last + "\n"
                + Processes.tail(dir.resolve("postgres.log")));
    }

    private Path data() {
        return dir.resolve("data");
    }

    private Path log() {
        return dir.resolve("commands.log");
    }

    private String pgCtl() {
        return bin.resolve("pg_ctl").toString();
    }

    private static boolean complete(Path bin) {
        return Files.isExecutable(bin.resolve("initdb")) && Files.isExecutable(bin.resolve("pg_ctl")) && Files.isExecutable(bin.resolve("postgres"));
    }

    private static int majorVersion(Path bin) {
        try {
            return Integer.parseInt(bin.getParent().getFileName().toString());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static boolean userExists(String user) {
        try {
            Processes.run(List.of("id", "-u", user), Path.of("/dev/null"), 10);
            return true;
        } catch (IllegalStateException e) {
            return false;
        }
    }

    private static String primaryGroup(String user) {
        try {
            var p = new ProcessBuilder("id", "-gn", user).redirectErrorStream(true).start();
            String group = new String(p.getInputStream().readAllBytes()).trim();
            p.waitFor(10, TimeUnit.SECONDS);
            return group.isEmpty() ? user : group;
        } catch (IOException e) {
            return user;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return user;
        }
    }
}
