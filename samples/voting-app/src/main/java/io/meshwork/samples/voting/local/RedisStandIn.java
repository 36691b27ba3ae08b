package io.meshwork.samples.voting.local;

import io.meshwork.samples.voting.redis.Resp;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A tiny in-memory Redis for when {@code redis-server} is not installed. It speaks RESP2 and
 * implements exactly what the voting app sends: AUTH, PING, RPUSH, LPOP, BLPOP, LLEN, plus QUIT.
 * Anything else gets {@code -ERR unknown command}, as from Redis, so a new command in the app
 * fails loudly here instead of silently doing nothing.
 *
 * <p>Like a Redis without persistence, a stopped stand-in forgets its lists; {@link #start} on
 * the same port afterwards behaves like a restarted server.
 */
public final class RedisStandIn implements AutoCloseable {
    private final ServerSocket server;
    private final String password;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition pushed = lock.newCondition();
    private final Map<String, Deque<byte[]>> lists = new HashMap<>();
    private final Set<Socket> clients = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    private RedisStandIn(ServerSocket server, String password) {
        this.server = server;
        this.password = password;
    }

    /**
     * Listens on {@code 127.0.0.1:port} (0 picks a free port). An empty or null {@code password}
     * serves without AUTH, like a Redis without {@code requirepass}.
     */
    public static RedisStandIn start(int port, String password) {
        try {
            var server = bind(port);
            var standIn = new RedisStandIn(server, password == null ? "" : password);
            Thread.ofVirtual().name("redis-standin-accept-" + server.getLocalPort()).start(standIn::acceptLoop);
            return standIn;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start the Redis stand-in on 127.0.0.1:" + port + ": " + e.getMessage(), e);
        }
    }

    /**
     * Binds, retrying briefly on a fixed port: a socket closed while a virtual thread was blocked
     * in accept releases its port only once that thread has woken, so a restart can race it.
     */
    private static ServerSocket bind(int port) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (true) {
            var server = new ServerSocket();
            try {
                server.setReuseAddress(true);
                server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
                return server;
            } catch (java.net.BindException e) {
                server.close();
                if (port == 0 || System.nanoTime() > deadline) {
                    throw e;
                }
                try {
                    Thread.sleep(50);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    public int port() {
        return server.getLocalPort();
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // Already closed.
        }
        for (Socket client : clients) {
            try {
                client.close();
            } catch (IOException ignored) {
                // The client is gone either way.
            }
        }
        lock.lock();
        try {
            pushed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket client = server.accept();
                clients.add(client);
                Thread.ofVirtual().name("redis-standin-conn").start(() -> serve(client));
            } catch (IOException e) {
                if (!closed) {
                    System.err.println("redis stand-in: accept failed: " + e.getMessage());
                }
            }
        }
    }

    private void serve(Socket client) {
        try (client) {
            var in = new BufferedInputStream(client.getInputStream());
            var out = new BufferedOutputStream(client.getOutputStream());
            boolean authenticated = password.isEmpty();
            while (!closed) {
                Object request = Resp.read(in);
                if (!(request instanceof List<?> parts) || parts.isEmpty() || !parts.stream().allMatch(p -> p instanceof byte[])) {
                    error(out, "ERR Protocol error: expected an array of bulk strings");
                    return;
                }
                String[] args = parts.stream().map(p -> new String((byte[]) p, StandardCharsets.UTF_8)).toArray(String[]::new);
                String name = args[0].toUpperCase(java.util.Locale.ROOT);
                if (name.equals("QUIT")) {
                    simple(out, "OK");
                    return;
                }
                if (name.equals("AUTH")) {
                    authenticated = auth(out, args);
                    continue;
                }
                if (!authenticated) {
                    error(out, "NOAUTH Authentication required.");
                    continue;
                }
                execute(out, name, args);
            }
        } catch (IOException e) {
            // Client went away or the stand-in is stopping: the connection simply ends.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            clients.remove(client);
        }
    }

    private boolean auth(OutputStream out, String[] args) throws IOException {
        // AUTH password, or AUTH default password (Redis 6 ACL form with the default user).
        String given = args.length == 2 ? args[1] : args.length == 3 && args[1].equals("default") ? args[2] : null;
        if (given == null) {
            error(out, "ERR wrong number of arguments for 'auth' command");
            return false;
        }
        if (password.isEmpty()) {
            error(out, "ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?");
            return true;
        }
        boolean ok = MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8), password.getBytes(StandardCharsets.UTF_8));
        if (ok) {
            simple(out, "OK");
        } else {
            error(out, "WRONGPASS invalid username-password pair or user is disabled.");
        }
        return ok;
    }

    private void execute(OutputStream out, String name, String[] args) throws IOException, InterruptedException {
        switch (name) {
            case "PING" -> {
                if (args.length > 1) {
                    bulk(out, args[1].getBytes(StandardCharsets.UTF_8));
                } else {
                    simple(out, "PONG");
                }
            }
            case "RPUSH" -> {
                if (args.length < 3) {
                    arity(out, name);
                    return;
                }
                integer(out, rpush(args));
            }
            case "LPOP" -> {
                if (args.length != 2) {
                    arity(out, name);
                    return;
                }
                bulk(out, pop(args[1]));
            }
            case "LLEN" -> {
                if (args.length != 2) {
                    arity(out, name);
                    return;
                }
                integer(out, llen(args[1]));
            }
            case "BLPOP" -> blpop(out, args);
            default -> error(out, "ERR unknown command '" + args[0] + "', with args beginning with: ");
        }
    }

    private long rpush(String[] args) {
        lock.lock();
        try {
            Deque<byte[]> list = lists.computeIfAbsent(args[1], k -> new ArrayDeque<>());
            for (int i = 2; i < args.length; i++) {
                list.addLast(args[i].getBytes(StandardCharsets.UTF_8));
            }
            pushed.signalAll();
            return list.size();
        } finally {
            lock.unlock();
        }
    }

    private long llen(String key) {
        lock.lock();
        try {
            Deque<byte[]> list = lists.get(key);
            return list == null ? 0 : list.size();
        } finally {
            lock.unlock();
        }
    }

    /** Pops from {@code key}, dropping the key when its list empties (as Redis does); call under lock or alone. */
    private byte[] pop(String key) {
        lock.lock();
        try {
            Deque<byte[]> list = lists.get(key);
            if (list == null) {
                return null;
            }
            byte[] value = list.pollFirst();
            if (list.isEmpty()) {
                lists.remove(key);
            }
            return value;
        } finally {
            lock.unlock();
        }
    }

    private void blpop(OutputStream out, String[] args) throws IOException, InterruptedException {
        if (args.length < 3) {
            arity(out, "BLPOP");
            return;
        }
        double seconds;
        try {
            seconds = Double.parseDouble(args[args.length - 1]);
        } catch (NumberFormatException e) {
            error(out, "ERR timeout is not a float or out of range");
            return;
        }
        if (seconds < 0) {
            error(out, "ERR timeout is negative");
            return;
        }
        long deadline = seconds == 0 ? Long.MAX_VALUE : System.nanoTime() + (long) (seconds * 1e9);
        String foundKey = null;
        byte[] found = null;
        lock.lock();
        try {
            search:
            while (!closed) {
                for (int k = 1; k < args.length - 1; k++) {
                    found = pop(args[k]);
                    if (found != null) {
                        foundKey = args[k];
                        break search;
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                pushed.await(Math.min(left, TimeUnit.SECONDS.toNanos(1)), TimeUnit.NANOSECONDS);
            }
        } finally {
            lock.unlock();
        }
        // Written outside the lock so a slow client never stalls the others.
        if (found == null) {
            out.write("*-1\r\n".getBytes(StandardCharsets.US_ASCII));
        } else {
            out.write("*2\r\n".getBytes(StandardCharsets.US_ASCII));
            writeBulk(out, foundKey.getBytes(StandardCharsets.UTF_8));
            writeBulk(out, found);
        }
        out.flush();
    }

    private static void writeBulk(OutputStream out, byte[] bytes) throws IOException {
        out.write(("$" + bytes.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(bytes);
        out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
    }

    private static void simple(OutputStream out, String text) throws IOException {
        out.write(("+" + text + "\r\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static void error(OutputStream out, String text) throws IOException {
        out.write(("-" + text + "\r\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static void integer(OutputStream out, long n) throws IOException {
        out.write((":" + n + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    private static void bulk(OutputStream out, byte[] bytes) throws IOException {
        if (bytes == null) {
            out.write("$-1\r\n".getBytes(StandardCharsets.US_ASCII));
        } else {
            writeBulk(out, bytes);
        }
        out.flush();
    }

    private static void arity(OutputStream out, String name) throws IOException {
        error(out, "ERR wrong number of arguments for '" + name.toLowerCase(java.util.Locale.ROOT) + "' command");
    }
}
