package io.meshwork.samples.voting.vote;

import io.meshwork.samples.voting.HostPort;
import io.meshwork.samples.voting.redis.RespClient;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedDeque;

/**
 * Idle Redis connections for the vote handlers, which run one virtual thread per request.
 *
 * <p>A connection that failed is dropped rather than returned, so after a Redis restart the next
 * request simply dials again.
 */
final class RedisPool implements AutoCloseable {
    private static final int MAX_IDLE = 8;

    private final HostPort address;
    private final String password;
    private final ConcurrentLinkedDeque<RespClient> idle = new ConcurrentLinkedDeque<>();

    RedisPool(HostPort address, String password) {
        this.address = address;
        this.password = password;
    }

    HostPort address() {
        return address;
    }

    /**
     * {@code RPUSH key value} on a pooled connection. A failure on a pooled (maybe stale)
     * connection is retried once on a fresh one; a duplicate push is harmless because the
     * worker's upsert is idempotent.
     */
    long rpush(String key, String value) throws IOException {
        RespClient pooled = idle.pollFirst();
        if (pooled != null) {
            try {
                long length = pooled.rpush(key, value);
                release(pooled);
                return length;
            } catch (IOException stale) {
                pooled.close();
            }
        }
        RespClient fresh = RespClient.connect(address, password, Duration.ofSeconds(2));
        try {
            long length = fresh.rpush(key, value);
            release(fresh);
            return length;
        } catch (IOException e) {
            fresh.close();
            throw e;
        }
    }

    private void release(RespClient client) {
        if (idle.size() < MAX_IDLE) {
            idle.addFirst(client);
        } else {
            client.close();
        }
    }

    @Override
    public void close() {
        RespClient client;
        while ((client = idle.pollFirst()) != null) {
            client.close();
        }
    }
}
