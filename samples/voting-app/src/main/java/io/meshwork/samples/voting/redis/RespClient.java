package io.meshwork.samples.voting.redis;

import io.meshwork.samples.voting.HostPort;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/**
 * One blocking connection to Redis, for one thread at a time.
 *
 * <p>Any {@link IOException} (including a {@link RedisException} error reply) leaves the
 * connection in an unknown state: the caller closes it and connects again, which is how the
 * services survive a Redis restart.
 */
public final class RespClient implements AutoCloseable {
    /** Slack added to a blocking pop's own timeout before the socket read gives up. */
    private static final Duration READ_SLACK = Duration.ofSeconds(5);

    private final HostPort address;
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    private RespClient(HostPort address, Socket socket) throws IOException {
        this.address = address;
        this.socket = socket;
        this.in = new BufferedInputStream(socket.getInputStream());
        this.out = new BufferedOutputStream(socket.getOutputStream());
    }

    /**
     * Connects, then sends AUTH when {@code password} is non-empty and PING to prove the
     * connection works before anyone relies on it.
     */
    public static RespClient connect(HostPort address, String password, Duration timeout) throws IOException {
        var socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.setKeepAlive(true);
            socket.connect(new InetSocketAddress(address.host(), address.port()), (int) timeout.toMillis());
            socket.setSoTimeout((int) (timeout.toMillis() + READ_SLACK.toMillis()));
            var client = new RespClient(address, socket);
            if (password != null && !password.isEmpty()) {
                client.auth(password);
            }
            client.ping();
            return client;
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    public HostPort address() {
        return address;
    }

    public void auth(String password) throws IOException {
        expectOk(call("AUTH", password), "AUTH");
    }

    public void ping() throws IOException {
        Object reply = call("PING");
        if (!"PONG".equals(reply)) {
            throw new IOException("PING answered " + describe(reply) + " instead of PONG");
        }
    }

    /** {@code RPUSH key value}; returns the list's new length. */
    public long rpush(String key, String value) throws IOException {
        return integer(call("RPUSH", key, value), "RPUSH");
    }

    /** {@code LPOP key}; {@code null} when the list is empty. */
    public String lpop(String key) throws IOException {
        return bulk(call("LPOP", key), "LPOP");
    }

    /** {@code LLEN key}. */
    public long llen(String key) throws IOException {
        return integer(call("LLEN", key), "LLEN");
    }

    /**
     * {@code BLPOP key timeout}: waits up to {@code timeoutSeconds} for an element and returns it,
     * or {@code null} on timeout. The socket read timeout is stretched to cover the wait.
     */
    public String blpop(String key, int timeoutSeconds) throws IOException {
        int previous = socket.getSoTimeout();
        socket.setSoTimeout((int) (timeoutSeconds * 1000L + READ_SLACK.toMillis()));
        try {
            Object reply = call("BLPOP", key, Integer.toString(timeoutSeconds));
            if (reply == null) {
                return null;
            }
            if (reply instanceof List<?> pair && pair.size() == 2 && pair.get(1) instanceof byte[] value) {
                return new String(value, StandardCharsets.UTF_8);
            }
            throw new IOException("BLPOP answered " + describe(reply));
        } finally {
            socket.setSoTimeout(previous);
        }
    }

    /** Sends one command and returns its decoded reply; error replies are thrown. */
    public Object call(String... command) throws IOException {
        Resp.writeCommand(out, command);
        Object reply = Resp.read(in);
        if (reply instanceof RedisException error) {
            throw new RedisException(command[0] + " failed: " + error.getMessage());
        }
        return reply;
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // Closing a socket we are abandoning; nothing to report.
        }
    }

    private static void expectOk(Object reply, String command) throws IOException {
        if (!"OK".equals(reply)) {
            throw new IOException(command + " answered " + describe(reply) + " instead of OK");
        }
    }

    private static long integer(Object reply, String command) throws IOException {
        if (reply instanceof Long n) {
            return n;
        }
        throw new IOException(command + " answered " + describe(reply) + " instead of an integer");
    }

    private static String bulk(Object reply, String command) throws IOException {
        if (reply == null) {
            return null;
        }
        if (reply instanceof byte[] bytes) {
            return new String(bytes, StandardCharsets.UTF_8);
        }
        throw new IOException(command + " answered " + describe(reply) + " instead of a bulk string");
    }

    private static String describe(Object reply) {
        return reply instanceof byte[] b ? "'" + new String(b, StandardCharsets.UTF_8) + "'" : String.valueOf(reply);
    }
}
