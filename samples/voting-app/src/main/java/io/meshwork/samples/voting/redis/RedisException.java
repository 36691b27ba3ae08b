package io.meshwork.samples.voting.redis;

import java.io.IOException;

/**
 * Redis answered with an error reply ({@code -ERR ...}, {@code -NOAUTH ...}).
 *
 * <p>An {@link IOException} so callers treat it like a broken connection: close and reconnect.
 */
public final class RedisException extends IOException {
    public RedisException(String message) {
        super(message);
    }
}
