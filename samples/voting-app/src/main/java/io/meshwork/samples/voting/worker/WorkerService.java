package io.meshwork.samples.voting.worker;

import io.meshwork.samples.voting.Settings;
import io.meshwork.samples.voting.db.Database;
import io.meshwork.samples.voting.http.Exchanges;
import io.meshwork.samples.voting.http.WebServer;
import io.meshwork.samples.voting.redis.RespClient;
import io.meshwork.samples.voting.vote.VoteService;
import java.io.IOException;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The worker loop: {@code BLPOP votes 1}, then an idempotent upsert into {@code votes}.
 *
 * <p>At-least-once: a popped vote is held in memory and the upsert retried (with back-off) until
 * PostgreSQL takes it; only then is the next vote popped. Either side failing only drops that
 * side's connection, which is re-opened on the next try. See the module README for why this and
 * not a processing list.
 */
public final class WorkerService implements AutoCloseable {
    static final String UPSERT = "INSERT INTO votes (id, vote) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET vote = EXCLUDED.vote";
    private static final int POP_TIMEOUT_SECONDS = 1;
    private static final long MIN_BACKOFF_MS = 100;
    private static final long MAX_BACKOFF_MS = 1000;

    private final WorkerConfig config;
    private final Database db;
    private final Thread loop;
    private final WebServer health;
    private final AtomicLong stored = new AtomicLong();
    private final AtomicLong failedAttempts = new AtomicLong();
    private volatile RespClient redis;
    private volatile boolean running = true;
    private volatile boolean holdingVote;
    private volatile boolean redisUp = true;
    private volatile boolean dbUp = true;

    private WorkerService(WorkerConfig config) {
        this.config = config;
        this.db = new Database(config.db());
        // The health port first: if it is taken, fail before a non-daemon loop thread exists.
        this.health = config.port() == WorkerConfig.NO_PORT ? null : WebServer.start(config.bind(), config.port(), exchange -> {
            try (exchange) {
                Exchanges.sendJson(exchange, 200, statsJson());
            }
        });
        this.loop = Thread.ofPlatform().name("worker-loop").daemon(false).start(this::run);
    }

    public static WorkerService start(WorkerConfig config) {
        return new WorkerService(config);
    }

    public static void main(String[] args) throws InterruptedException {
        var config = WorkerConfig.from(Settings.fromEnvironmentAndArgs(args));
        var worker = start(config);
        System.out.println("worker moving votes from Redis at " + config.redis() + " to PostgreSQL " + config.db()
                + (worker.health == null ? "" : "; health on " + config.bind() + ":" + worker.health.port()));
        Runtime.getRuntime().addShutdownHook(new Thread(worker::close));
        worker.loop.join();
    }

    /** Votes written to PostgreSQL so far (a re-written duplicate counts again). */
    public long stored() {
        return stored.get();
    }

    /** Upsert attempts that failed and were retried. */
    public long failedAttempts() {
        return failedAttempts.get();
    }

    /** True while a popped vote waits for PostgreSQL. */
    public boolean holdingVote() {
        return holdingVote;
    }

    @Override
    public void close() {
        running = false;
        RespClient client = redis;
        if (client != null) {
            client.close(); // unblocks a BLPOP in progress
        }
        loop.interrupt();
        try {
            loop.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (health != null) {
            health.close();
        }
        db.close();
    }

    private void run() {
        Vote pending = null;
        long backoff = MIN_BACKOFF_MS;
        while (running) {
            try {
                if (pending == null) {
                    String message = redis().blpop(VoteService.QUEUE, POP_TIMEOUT_SECONDS);
                    redisState(true, null);
                    if (message == null) {
                        continue;
                    }
                    try {
                        pending = Vote.parse(message);
                    } catch (IllegalArgumentException e) {
                        System.err.println("worker: dropping malformed vote " + message + ": " + e.getMessage());
                        continue;
                    }
                    holdingVote = true;
                }
                store(pending);
                dbState(true, null);
                stored.incrementAndGet();
                pending = null;
                holdingVote = false;
                backoff = MIN_BACKOFF_MS;
            } catch (IOException e) {
                dropRedis();
                redisState(false, e);
                backoff = pause(backoff);
            } catch (SQLException e) {
                failedAttempts.incrementAndGet();
                db.reset();
                dbState(false, e);
                backoff = pause(backoff);
            }
        }
        dropRedis();
        if (pending != null) {
            System.err.println("worker: stopping with vote of " + pending.voterId() + " not stored; it was popped and is lost with this process");
        }
    }

    private void store(Vote vote) throws SQLException {
        try (var statement = db.connection().prepareStatement(UPSERT)) {
            statement.setString(1, vote.voterId());
            statement.setString(2, vote.vote());
            statement.executeUpdate();
        }
    }

    private RespClient redis() throws IOException {
        RespClient client = redis;
        if (client == null) {
            client = RespClient.connect(config.redis(), config.redisPassword(), Duration.ofSeconds(2));
            redis = client;
        }
        return client;
    }

    private void dropRedis() {
        RespClient client = redis;
        redis = null;
        if (client != null) {
            client.close();
        }
    }

    /** Logs only transitions, so an outage is two lines, not one per retry. */
    private void redisState(boolean up, Exception cause) {
        if (up != redisUp && running) {
            System.out.println(up ? "worker: Redis at " + config.redis() + " is back"
                    : "worker: Redis at " + config.redis() + " unreachable (" + cause.getMessage() + "); retrying");
        }
        redisUp = up;
    }

    private void dbState(boolean up, Exception cause) {
        if (up != dbUp && running) {
            System.out.println(up ? "worker: PostgreSQL " + config.db() + " is back"
                    : "worker: PostgreSQL " + config.db() + " unreachable (" + cause.getMessage() + "); holding the popped vote and retrying");
        }
        dbUp = up;
    }

    private long pause(long backoff) {
        try {
            Thread.sleep(backoff);
        } catch (InterruptedException e) {
            // close() interrupts to stop promptly; the loop re-checks running.
        }
        return Math.min(backoff * 2, MAX_BACKOFF_MS);
    }

    private String statsJson() {
        return "{\"stored\":" + stored.get() + ",\"failed_attempts\":" + failedAttempts.get()
                + ",\"holding_vote\":" + holdingVote + ",\"redis_up\":" + redisUp + ",\"db_up\":" + dbUp + "}";
    }
}
