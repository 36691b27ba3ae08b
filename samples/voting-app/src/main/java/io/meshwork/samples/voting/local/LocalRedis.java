package io.meshwork.samples.voting.local;

import io.meshwork.samples.voting.HostPort;
import io.meshwork.samples.voting.redis.RespClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A Redis for one run on a loopback port with a generated password: the installed
 * {@code redis-server} when there is one, otherwise the embedded {@link RedisStandIn}.
 *
 * <p>Neither persists data, so {@link #restart()} behaves like a Redis restart in a container
 * without a volume: clients are cut, the lists are empty, the address and password stay.
 */
public final class LocalRedis implements AutoCloseable {
    /** Which implementation is serving. */
    public enum Kind { REDIS_SERVER, STAND_IN }

    private final Kind kind;
    private final int port;
    private final String password;
    private final Path dir;
    private Process process;
    private RedisStandIn standIn;

    private LocalRedis(Kind kind, int port, String password, Path dir) {
        this.kind = kind;
        this.port = port;
        this.password = password;
        this.dir = dir;
    }

    /** The installed {@code redis-server}, if any ({@code REDIS_SERVER} env var overrides PATH lookup). */
    public static Optional<Path> installedServer() {
        String explicit = System.getenv("REDIS_SERVER");
        if (explicit != null && !explicit.isBlank()) {
            return Optional.of(Path.of(explicit)).filter(Files::isExecutable);
        }
        return Processes.onPath("redis-server", false);
    }

    /** Starts the installed redis-server if there is one, else the stand-in. */
    public static LocalRedis start() {
        return installedServer().isPresent() ? start(Kind.REDIS_SERVER) : start(Kind.STAND_IN);
    }

    /** Starts {@code kind} on a free loopback port. */
    public static LocalRedis start(Kind kind) {
        String password = Processes.password();
        int port = kind == Kind.STAND_IN ? 0 : Processes.freePort();
        Path dir = null;
        if (kind == Kind.REDIS_SERVER) {
            try {
                dir = Files.createTempDirectory("meshwork-redis");
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot create a temporary directory for redis-server: " + e.getMessage(), e);
            }
        }
        var redis = new LocalRedis(kind, port, password, dir);
        try {
            redis.launch();
        } catch (RuntimeException e) {
            redis.close();
            throw e;
        }
        return redis;
    }

    public Kind kind() {
        return kind;
    }

    public HostPort address() {
        return new HostPort("127.0.0.1", kind == Kind.STAND_IN && standIn != null ? standIn.port() : port);
    }

    public String password() {
        return password;
    }

    /** The redis-server process id, if this is a running redis-server (the stand-in runs in this JVM). */
    public synchronized java.util.OptionalLong pid() {
        return process != null && process.isAlive() ? java.util.OptionalLong.of(process.pid()) : java.util.OptionalLong.empty();
    }

    /** Stops the server (all clients are cut) until {@link #startAgain()}. */
    public synchronized void stop() {
        if (standIn != null) {
            standIn.close();
        }
        if (process != null) {
            process.destroy();
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            process = null;
        }
    }

    /** Starts again on the same port with the same password, empty. */
    public synchronized void startAgain() {
        launch();
    }

    /** {@link #stop()} then {@link #startAgain()}. */
    public void restart() {
        stop();
        startAgain();
    }

    @Override
    public void close() {
        stop();
        Processes.deleteTree(dir);
    }

    private void launch() {
        if (kind == Kind.STAND_IN) {
            // First start picks a port; a restart reuses it.
            int bindPort = standIn == null ? port : standIn.port();
            standIn = RedisStandIn.start(bindPort, password);
            return;
        }
        Path server = installedServer().orElseThrow(() -> new IllegalStateException("redis-server is not installed; install it (apt-get install redis-server) or use the stand-in."));
        Path log = dir.resolve("redis.log");
        List<String> command = List.of(server.toString(),
                "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--requirepass", password, "--save", "", "--appendonly", "no",
                "--dir", dir.toString(), "--daemonize", "no", "--protected-mode", "yes",
                "--logfile", log.toString());
        try {
            process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("redis.out").toFile()))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start " + server + ": " + e.getMessage(), e);
        }
        awaitReady(log);
    }

    private void awaitReady(Path log) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        IOException last = null;
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("redis-server exited with " + process.exitValue() + " while starting on port " + port + ":\n"
                        + Processes.tail(dir.resolve("redis.out")) + "\n" + Processes.tail(log));
            }
            try {
                RespClient.connect(address(), password, Duration.ofSeconds(1)).close();
                return;
            } catch (IOException e) {
                last = e;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while waiting for redis-server", e);
            }
        }
        throw new IllegalStateException("redis-server did not answer on " + address() + " within 15 s (" + last + "):\n" + Processes.tail(log));
    }
}
