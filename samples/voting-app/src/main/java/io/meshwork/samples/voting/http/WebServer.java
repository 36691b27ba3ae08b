package io.meshwork.samples.voting.http;

import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A JDK {@link HttpServer} on a virtual-thread-per-exchange executor.
 *
 * <p>Virtual threads let a server-sent-events stream hold its exchange open for minutes without
 * tying up a platform thread, which is why the result service can use the plain JDK server.
 */
public final class WebServer implements AutoCloseable {
    private final HttpServer server;
    private final ExecutorService executor;

    private WebServer(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /** Binds {@code bind:port} (port 0 picks a free one) and starts serving {@code handler} at "/". */
    public static WebServer start(String bind, int port, HttpHandler handler) {
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(bind, port), 128);
        } catch (BindException e) {
            throw new IllegalStateException("Port " + port + " on " + bind + " is already in use; set PORT to a free port.", e);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot listen on " + bind + ":" + port + ": " + e.getMessage(), e);
        }
        var executor = Executors.newVirtualThreadPerTaskExecutor();
        server.setExecutor(executor);
        server.createContext("/", handler);
        server.start();
        return new WebServer(server, executor);
    }

    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
