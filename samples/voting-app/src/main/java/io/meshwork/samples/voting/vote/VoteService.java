package io.meshwork.samples.voting.vote;

import com.sun.net.httpserver.HttpExchange;
import io.meshwork.samples.voting.Settings;
import io.meshwork.samples.voting.http.Exchanges;
import io.meshwork.samples.voting.http.Json;
import io.meshwork.samples.voting.http.WebServer;
import java.io.IOException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * The vote service.
 *
 * <ul>
 *   <li>{@code GET /}: the page; sets a {@code voter_id} cookie on first visit.</li>
 *   <li>{@code POST /} with {@code vote=a|b} (form or JSON body) and the {@code voter_id} cookie:
 *       {@code RPUSH votes {"voter_id":..,"vote":..}}, then the page, or JSON when the client
 *       sends {@code Accept: application/json}.</li>
 *   <li>{@code GET /healthz}: {@code ok} while the HTTP server runs (Redis is not checked, so a
 *       Redis outage does not get the service restarted).</li>
 * </ul>
 * Every response carries {@code x-vote-version: v1|v2} so routing is observable.
 */
public final class VoteService implements AutoCloseable {
    public static final String VERSION_HEADER = "x-vote-version";
    public static final String QUEUE = "votes";
    private static final Pattern VOTER_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    private static final SecureRandom RANDOM = new SecureRandom();

    private final VoteConfig config;
    private final RedisPool redis;
    private final AtomicLong votesCast = new AtomicLong();
    private final WebServer server;

    private VoteService(VoteConfig config) {
        this.config = config;
        this.redis = new RedisPool(config.redis(), config.redisPassword());
        this.server = WebServer.start(config.bind(), config.port(), this::handle);
    }

    public static VoteService start(VoteConfig config) {
        return new VoteService(config);
    }

    public static void main(String[] args) throws InterruptedException {
        var service = start(VoteConfig.from(Settings.fromEnvironmentAndArgs(args)));
        System.out.println("vote " + service.config.version() + " listening on " + service.config.bind() + ":" + service.port()
                + ", pushing votes to Redis at " + service.config.redis());
        Runtime.getRuntime().addShutdownHook(new Thread(service::close));
        Thread.currentThread().join();
    }

    public int port() {
        return server.port();
    }

    /** Votes this instance pushed to Redis (v2 shows it on the page). */
    public long votesCast() {
        return votesCast.get();
    }

    @Override
    public void close() {
        server.close();
        redis.close();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            exchange.getResponseHeaders().set(VERSION_HEADER, config.version());
            String path = exchange.getRequestURI().getPath();
            String method = exchange.getRequestMethod();
            if (path.equals("/healthz")) {
                Exchanges.sendText(exchange, 200, "ok\n");
            } else if (!path.equals("/") && !path.isEmpty()) {
                Exchanges.sendText(exchange, 404, "Not found: " + path + "\n");
            } else if (method.equals("GET") || method.equals("HEAD")) {
                showPage(exchange);
            } else if (method.equals("POST")) {
                vote(exchange);
            } else {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD, POST");
                Exchanges.sendText(exchange, 405, "Method " + method + " is not allowed on /; use GET or POST.\n");
            }
        } catch (RuntimeException e) {
            System.err.println("vote " + config.version() + ": " + exchange.getRequestMethod() + " " + exchange.getRequestURI() + " failed: " + e);
            Exchanges.sendText(exchange, 500, "Internal error\n");
        }
    }

    private void showPage(HttpExchange exchange) throws IOException {
        voterId(exchange, Map.of()); // sets the cookie on a first visit
        String chosen = Exchanges.cookie(exchange, "vote").filter(v -> v.equals("a") || v.equals("b")).orElse(null);
        Exchanges.sendHtml(exchange, 200, VotePage.render(config, chosen, null, votesCast.get()));
    }

    private void vote(HttpExchange exchange) throws IOException {
        Map<String, String> fields;
        try {
            fields = parseBody(exchange);
        } catch (IllegalArgumentException | IOException e) {
            Exchanges.sendText(exchange, 400, "Bad vote body: " + e.getMessage() + "\n");
            return;
        }
        String vote = fields.get("vote");
        if (!"a".equals(vote) && !"b".equals(vote)) {
            Exchanges.sendText(exchange, 400, "Field 'vote' must be 'a' (" + config.optionA() + ") or 'b' (" + config.optionB() + ").\n");
            return;
        }
        String voter = voterId(exchange, fields);
        String previous = Exchanges.cookie(exchange, "vote").filter(v -> v.equals("a") || v.equals("b")).orElse(null);
        String changedFrom = previous != null && !previous.equals(vote) ? previous : null;
        var trace = TraceHeaders.from(exchange.getRequestHeaders());
        String message = "{\"voter_id\":" + Json.quote(voter) + ",\"vote\":" + Json.quote(vote) + "}";
        try {
            long queued = redis.rpush(QUEUE, message);
            long total = votesCast.incrementAndGet();
            System.out.println("vote " + config.version() + ": RPUSH " + QUEUE + " " + message + " -> " + queued + " queued, "
                    + total + " cast here" + trace.logSuffix());
        } catch (IOException e) {
            System.err.println("vote " + config.version() + ": RPUSH to " + redis.address() + " failed: " + e.getMessage() + trace.logSuffix());
            Exchanges.sendText(exchange, 503, "Redis at " + redis.address() + " is unreachable; the vote was not recorded, try again.\n");
            return;
        }
        exchange.getResponseHeaders().add("Set-Cookie", "vote=" + vote + "; Path=/; Max-Age=31536000; SameSite=Lax");
        if (Exchanges.wantsJson(exchange)) {
            var json = new StringBuilder("{\"voter_id\":").append(Json.quote(voter))
                    .append(",\"vote\":").append(Json.quote(vote))
                    .append(",\"option\":").append(Json.quote(config.label(vote)))
                    .append(",\"version\":").append(Json.quote(config.version()))
                    .append(",\"hostname\":").append(Json.quote(config.hostname()));
            if (config.version().equals("v2")) {
                json.append(",\"votes_cast_here\":").append(votesCast.get());
                if (changedFrom != null) {
                    json.append(",\"changed_from\":").append(Json.quote(changedFrom));
                }
            }
            Exchanges.sendJson(exchange, 200, json.append('}').toString());
        } else {
            Exchanges.sendHtml(exchange, 200, VotePage.render(config, vote, changedFrom, votesCast.get()));
        }
    }

    /** The voter's id from the cookie (or a {@code voter_id} field for scripts), minting and setting a new one if absent. */
    private String voterId(HttpExchange exchange, Map<String, String> fields) {
        var fromCookie = Exchanges.cookie(exchange, "voter_id").filter(id -> VOTER_ID.matcher(id).matches());
        if (fromCookie.isPresent()) {
            return fromCookie.get();
        }
        String fromBody = fields.get("voter_id");
        String id = fromBody != null && VOTER_ID.matcher(fromBody).matches() ? fromBody : newVoterId();
        exchange.getResponseHeaders().add("Set-Cookie", "voter_id=" + id + "; Path=/; Max-Age=31536000; SameSite=Lax");
        return id;
    }

    private static Map<String, String> parseBody(HttpExchange exchange) throws IOException {
        String body = Exchanges.body(exchange);
        String type = exchange.getRequestHeaders().getFirst("Content-Type");
        if (type != null && type.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
            return Json.parseFlatObject(body);
        }
        return Exchanges.form(body);
    }

    private static String newVoterId() {
        byte[] bytes = new byte[8];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }
}
