package io.meshwork.samples.voting;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.samples.voting.db.Database;
import io.meshwork.samples.voting.http.Json;
import io.meshwork.samples.voting.local.LocalPostgres;
import io.meshwork.samples.voting.local.LocalRedis;
import io.meshwork.samples.voting.redis.RespClient;
import io.meshwork.samples.voting.result.ResultConfig;
import io.meshwork.samples.voting.result.ResultService;
import io.meshwork.samples.voting.vote.VoteConfig;
import io.meshwork.samples.voting.vote.VoteService;
import io.meshwork.samples.voting.worker.WorkerConfig;
import io.meshwork.samples.voting.worker.WorkerService;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * The whole app over real sockets on loopback: vote v1 and v2, worker and result in this JVM,
 * a throw-away PostgreSQL, and Redis of the kind a subclass picks (real redis-server or the
 * stand-in). Votes go in through vote's HTTP endpoint and are checked in result's JSON API, its
 * event stream, and the table itself.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
abstract class VotingAppContract {
    private static final Duration WAIT = Duration.ofSeconds(20);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private LocalRedis redis;
    private LocalPostgres pg;
    private VoteService v1;
    private VoteService v2;
    private WorkerService worker;
    private ResultService result;

    abstract LocalRedis.Kind kind();

    /** PostgreSQL installed or bundled for this platform; subclasses are {@code @EnabledIf} on it. */
    static boolean postgresAvailable() {
        return LocalPostgres.binaries().isPresent();
    }

    @BeforeAll
    void startEverything() {
        redis = LocalRedis.start(kind());
        pg = LocalPostgres.start();
        var settings = Settings.of(Map.of(
                "REDIS_ADDR", redis.address().toString(), "REDIS_PASSWORD", redis.password(),
                "DB_ADDR", pg.address().toString(), "DB_USER", pg.user(), "DB_PASSWORD", pg.password(), "DB_NAME", pg.database(),
                "BIND", "127.0.0.1", "PORT", "0"));
        v1 = VoteService.start(VoteConfig.from(settings.with("VERSION", "v1")));
        v2 = VoteService.start(VoteConfig.from(settings.with("VERSION", "v2")));
        worker = WorkerService.start(WorkerConfig.from(settings));
        result = ResultService.start(ResultConfig.from(settings));
    }

    @AfterAll
    void stopEverything() {
        for (AutoCloseable c : new AutoCloseable[] {result, worker, v2, v1, pg, redis}) {
            if (c != null) {
                try {
                    c.close();
                } catch (Exception e) {
                    System.err.println("closing " + c + ": " + e);
                }
            }
        }
        http.close();
    }

    @BeforeEach
    void emptyTheTable() throws SQLException {
        try (var c = DriverManager.getConnection(pg.jdbcUrl(), pg.user(), pg.password()); var s = c.createStatement()) {
            Database.createTable(c); // worker and result may be creating it at this very moment
            s.execute("DELETE FROM votes");
        }
        awaitResults(0, 0);
    }

    @Test
    void votesFromDistinctVotersReachTheApiTheStreamAndTheTable() throws Exception {
        try (var stream = new EventStream(result.port())) {
            assertThat(stream.await(t -> t.get("total").equals("0"))).as("first event is the current tally").isNotNull();

            // 200 voters, 8 at a time, alternating between v1 and v2: every third votes b.
            try (var senders = Executors.newFixedThreadPool(8, Thread.ofVirtual().factory())) {
                var sent = new ArrayList<Future<?>>();
                for (int n = 0; n < 200; n++) {
                    int i = n;
                    sent.add(senders.submit(() -> {
                        VoteService target = i % 2 == 0 ? v1 : v2;
                        var response = vote(target, "voter-" + i, i % 3 == 0 ? "b" : "a", null);
                        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
                        assertThat(response.headers().firstValue("x-vote-version")).contains(i % 2 == 0 ? "v1" : "v2");
                        assertThat(Json.parseFlatObject(response.body())).containsEntry("voter_id", "voter-" + i);
                        return null;
                    }));
                }
                for (var f : sent) {
                    f.get(30, TimeUnit.SECONDS);
                }
            }

            var tally = awaitResults(133, 67);
            assertThat(tally).containsEntry("total", "200").containsEntry("percent_a", "66.5").containsEntry("percent_b", "33.5")
                    .containsEntry("option_a", "Cats").containsEntry("option_b", "Dogs");
            assertThat(stream.await(t -> t.get("a").equals("133") && t.get("b").equals("67")))
                    .as("the event stream reports every vote").isNotNull();
        }
        assertThat(count("SELECT COUNT(*) FROM votes")).isEqualTo(200);
        assertThat(count("SELECT COUNT(*) FROM votes WHERE vote = 'b'")).isEqualTo(67);

        var page = get(result.port(), "/");
        assertThat(page.body()).contains("EventSource('stream')").contains("Cats").contains("Dogs");
    }

    @Test
    void aVoterWhoChangesTheirMindCountsOnce() throws Exception {
        assertThat(vote(v1, "changer", "a", null).statusCode()).isEqualTo(200);
        var changed = vote(v2, "changer", "b", "a");
        assertThat(Json.parseFlatObject(changed.body())).containsEntry("vote", "b").containsEntry("changed_from", "a");
        assertThat(changed.body()).doesNotContain("<html");
        assertThat(vote(v1, "steady", "a", null).statusCode()).isEqualTo(200);

        awaitResults(1, 1);
        try (var c = DriverManager.getConnection(pg.jdbcUrl(), pg.user(), pg.password());
             var s = c.prepareStatement("SELECT vote FROM votes WHERE id = ?")) {
            s.setString(1, "changer");
            try (var rows = s.executeQuery()) {
                assertThat(rows.next()).isTrue();
                assertThat(rows.getString(1)).isEqualTo("b");
            }
        }
    }

    @Test
    void v2LooksAndAnswersDifferentlyFromV1() throws Exception {
        var page1 = get(v1.port(), "/");
        var page2 = get(v2.port(), "/");
        assertThat(page1.headers().firstValue("x-vote-version")).contains("v1");
        assertThat(page2.headers().firstValue("x-vote-version")).contains("v2");
        assertThat(page1.body()).contains("data-version=\"v1\"").contains("vote v1").doesNotContain("NEW &middot; v2");
        assertThat(page2.body()).contains("data-version=\"v2\"").contains("NEW &middot; v2").contains("votes cast on this server");
        assertThat(page1.headers().allValues("set-cookie")).anyMatch(c -> c.startsWith("voter_id="));

        var fromV1 = Json.parseFlatObject(vote(v1, "look-1", "a", null).body());
        var fromV2 = Json.parseFlatObject(vote(v2, "look-2", "a", null).body());
        assertThat(fromV1).containsEntry("version", "v1").doesNotContainKey("votes_cast_here");
        assertThat(fromV2).containsEntry("version", "v2").containsEntry("votes_cast_here", Long.toString(v2.votesCast()));

        var browserPost = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + v2.port() + "/"))
                        .header("Content-Type", "application/x-www-form-urlencoded").header("Accept", "text/html")
                        .header("Cookie", "voter_id=look-3; vote=b").POST(HttpRequest.BodyPublishers.ofString("vote=a")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(browserPost.body()).contains("You voted for <strong>Cats</strong>").contains("Changed your mind?");
        assertThat(browserPost.headers().allValues("set-cookie")).contains("vote=a; Path=/; Max-Age=31536000; SameSite=Lax");
    }

    @Test
    void badRequestsGetOneClearAnswer() throws Exception {
        var bad = vote(v1, "bad", "c", null);
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body()).contains("'vote' must be 'a' (Cats) or 'b' (Dogs)");
        assertThat(get(v1.port(), "/nope").statusCode()).isEqualTo(404);
        assertThat(get(v1.port(), "/healthz").body()).isEqualTo("ok\n");
        assertThat(get(result.port(), "/healthz").body()).isEqualTo("ok\n");
        assertThat(get(result.port(), "/nope").statusCode()).isEqualTo(404);
    }

    @Test
    void theWorkerKeepsAPoppedVoteThroughAPostgresCrashAndRestart() throws Exception {
        long failedBefore = worker.failedAttempts();
        pg.crash();
        try {
            for (int i = 0; i < 3; i++) {
                assertThat(vote(v1, "pg-" + i, i == 0 ? "b" : "a", null).statusCode()).isEqualTo(200);
            }
            // One vote popped and held by the worker, the other two still queued in Redis.
            await("worker holds a popped vote while PostgreSQL is down", () -> worker.holdingVote() && queued() == 2);
            await("worker retries the upsert", () -> worker.failedAttempts() > failedBefore + 1);
        } finally {
            pg.startAgain();
        }
        awaitResults(2, 1);
        assertThat(queued()).isZero();
        assertThat(count("SELECT COUNT(*) FROM votes WHERE id = 'pg-0' AND vote = 'b'")).isEqualTo(1);
    }

    @Test
    void theWorkerAndVoteReconnectAfterARedisRestart() throws Exception {
        assertThat(vote(v1, "before-restart", "a", null).statusCode()).isEqualTo(200);
        awaitResults(1, 0);

        redis.stop();
        try {
            var refused = vote(v2, "during-outage", "a", null);
            assertThat(refused.statusCode()).isEqualTo(503);
            assertThat(refused.body()).contains("Redis at " + redis.address() + " is unreachable");
        } finally {
            redis.startAgain();
        }

        for (int i = 0; i < 4; i++) {
            assertThat(vote(i % 2 == 0 ? v1 : v2, "after-restart-" + i, "b", null).statusCode()).isEqualTo(200);
        }
        awaitResults(1, 4);
    }

    // ---- helpers ----

    private HttpResponse<String> vote(VoteService service, String voter, String choice, String previous) throws IOException, InterruptedException {
        String cookie = "voter_id=" + voter + (previous == null ? "" : "; vote=" + previous);
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + service.port() + "/"))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .header("Accept", "application/json")
                        .header("Cookie", cookie)
                        .timeout(Duration.ofSeconds(10))
                        .POST(HttpRequest.BodyPublishers.ofString("vote=" + choice)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private Map<String, String> awaitResults(long a, long b) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        Map<String, String> last = Map.of();
        while (System.nanoTime() < deadline) {
            try {
                last = Json.parseFlatObject(get(result.port(), "/api/results").body());
                if (last.get("a").equals(Long.toString(a)) && last.get("b").equals(Long.toString(b))) {
                    return last;
                }
            } catch (IOException e) {
                last = Map.of("error", e.toString());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            sleep(100);
        }
        throw new AssertionError("/api/results did not reach a=" + a + " b=" + b + " within " + WAIT + "; last: " + last);
    }

    private static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            sleep(50);
        }
    }

    private long queued() {
        try (var client = RespClient.connect(redis.address(), redis.password(), Duration.ofSeconds(2))) {
            return client.llen(VoteService.QUEUE);
        } catch (IOException e) {
            return -1;
        }
    }

    private long count(String sql) throws SQLException {
        try (var c = DriverManager.getConnection(pg.jdbcUrl(), pg.user(), pg.password()); var s = c.createStatement(); var rows = s.executeQuery(sql)) {
            rows.next();
            return rows.getLong(1);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A live {@code /stream} subscription: every {@code data:} event, parsed, in a queue. */
    private static final class EventStream implements AutoCloseable {
        private final HttpClient client = HttpClient.newHttpClient();
        private final BlockingQueue<Map<String, String>> events = new LinkedBlockingQueue<>();
        private final Stream<String> lines;

        EventStream(int port) throws IOException, InterruptedException {
            var response = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/stream")).build(),
                    HttpResponse.BodyHandlers.ofLines());
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("content-type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/event-stream"));
            lines = response.body();
            Thread.ofVirtual().start(() -> {
                try {
                    lines.filter(l -> l.startsWith("data: ")).forEach(l -> events.add(Json.parseFlatObject(l.substring(6))));
                } catch (RuntimeException closed) {
                    // The test closed the stream.
                }
            });
        }

        /** The first event (seen so far or arriving within the wait) that matches, or null. */
        Map<String, String> await(Predicate<Map<String, String>> wanted) throws InterruptedException {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (true) {
                var event = events.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (event == null || wanted.test(event)) {
                    return event;
                }
            }
        }

        @Override
        public void close() {
            lines.close();
            client.shutdownNow();
        }
    }
}
