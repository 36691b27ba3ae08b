package io.meshwork.samples.voting.result;

import com.sun.net.httpserver.HttpExchange;
import io.meshwork.samples.voting.Settings;
import io.meshwork.samples.voting.db.Database;
import io.meshwork.samples.voting.http.Exchanges;
import io.meshwork.samples.voting.http.WebServer;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Duration;

/**
 * The result service.
 *
 * <ul>
 *   <li>{@code GET /}: the page, which opens the stream below.</li>
 *   <li>{@code GET /stream}: {@code text/event-stream}; one {@code data:} event with the tally JSON
 *       at once and after every change, a comment every 15 s to keep idle proxies from cutting it.</li>
 *   <li>{@code GET /api/results}: the tally JSON ({@link Tally#toJson}).</li>
 *   <li>{@code GET /healthz}: {@code ok}.</li>
 * </ul>
 * One poller thread runs {@code SELECT vote, COUNT(id) FROM votes GROUP BY vote} every
 * {@code POLL_MILLIS}; while PostgreSQL is down the last tally keeps being served.
 */
public final class ResultService implements AutoCloseable {
    static final String QUERY = "SELECT vote, COUNT(id) AS count FROM votes GROUP BY vote";
    private static final Duration KEEPALIVE = Duration.ofSeconds(15);

    private final ResultConfig config;
    private final Database db;
    private final TallyBoard board = new TallyBoard();
    private final Thread poller;
    private final WebServer server;
    private volatile boolean running = true;
    private volatile boolean dbUp = true;

    private ResultService(ResultConfig config) {
        this.config = config;
        this.db = new Database(config.db());
        this.server = WebServer.start(config.bind(), config.port(), this::handle);
        this.poller = Thread.ofPlatform().name("result-poller").daemon(true).start(this::poll);
    }

    public static ResultService start(ResultConfig config) {
        return new ResultService(config);
    }

    public static void main(String[] args) throws InterruptedException {
        var config = ResultConfig.from(Settings.fromEnvironmentAndArgs(args));
        var service = start(config);
        System.out.println("result listening on " + config.bind() + ":" + service.port() + ", counting votes in PostgreSQL " + config.db());
        Runtime.getRuntime().addShutdownHook(new Thread(service::close));
        Thread.currentThread().join();
    }

    public int port() {
        return server.port();
    }

    /** The tally last read from PostgreSQL. */
    public Tally tally() {
        return board.current().tally();
    }

    @Override
    public void close() {
        running = false;
        board.close();
        poller.interrupt();
        server.close();
        try {
            poller.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        db.close();
    }

    private void poll() {
        while (running) {
            try {
                board.publish(count());
                if (!dbUp) {
                    System.out.println("result: PostgreSQL " + config.db() + " is back");
                    dbUp = true;
                }
            } catch (SQLException e) {
                db.reset();
                if (dbUp && running) {
                    System.out.println("result: PostgreSQL " + config.db() + " unreachable (" + e.getMessage() + "); showing the last tally and retrying");
                }
                dbUp = false;
            }
            try {
                Thread.sleep(config.pollMillis());
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private Tally count() throws SQLException {
        long a = 0;
        long b = 0;
        try (var statement = db.connection().createStatement(); var rows = statement.executeQuery(QUERY)) {
            while (rows.next()) {
                switch (rows.getString(1)) {
                    case "a" -> a = rows.getLong(2);
                    case "b" -> b = rows.getLong(2);
                    default -> { } // Not one of the two options: not shown.
                }
            }
        }
        return new Tally(a, b);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            if (!exchange.getRequestMethod().equals("GET") && !exchange.getRequestMethod().equals("HEAD")) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                Exchanges.sendText(exchange, 405, "Method " + exchange.getRequestMethod() + " is not allowed; the result service is read-only.\n");
                return;
            }
            switch (path) {
                case "/", "" -> Exchanges.sendHtml(exchange, 200, ResultPage.render(config));
                case "/api/results" -> Exchanges.sendJson(exchange, 200, tally().toJson(config.optionA(), config.optionB()));
                case "/stream" -> stream(exchange);
                case "/healthz" -> Exchanges.sendText(exchange, 200, "ok\n");
                default -> Exchanges.sendText(exchange, 404, "Not found: " + path + "\n");
            }
        }
    }

    private void stream(HttpExchange exchange) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
        exchange.getResponseHeaders().set("Cache-Control", "no-cache");
        exchange.getResponseHeaders().set("X-Accel-Buffering", "no");
        exchange.sendResponseHeaders(200, 0);
        OutputStream out = exchange.getResponseBody();
        try {
            out.write("retry: 1000\n\n".getBytes(StandardCharsets.UTF_8));
            long seen = -1;
            while (running) {
                TallyBoard.Snapshot snapshot = board.awaitNewer(seen, KEEPALIVE);
                if (snapshot == null) {
                    return;
                }
                String event = snapshot.version() > seen
                        ? "id: " + snapshot.version() + "\ndata: " + snapshot.tally().toJson(config.optionA(), config.optionB()) + "\n\n"
                        : ": keep-alive\n\n";
                seen = snapshot.version();
                out.write(event.getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            // The browser went away: the stream simply ends.
        }
    }
}
