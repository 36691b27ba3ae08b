package io.meshwork.samples.voting.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshwork.samples.voting.redis.RedisException;
import io.meshwork.samples.voting.redis.RespClient;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * What the app relies on from Redis, run against the real {@code redis-server} and against the
 * stand-in by subclassing, so the stand-in is held to the real server's answers.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
abstract class RedisContract {
    private LocalRedis redis;

    abstract LocalRedis.Kind kind();

    @BeforeAll
    void startRedis() {
        redis = LocalRedis.start(kind());
    }

    @AfterAll
    void stopRedis() {
        if (redis != null) {
            redis.close();
        }
    }

    private RespClient connect() throws IOException {
        return RespClient.connect(redis.address(), redis.password(), Duration.ofSeconds(2));
    }

    @Test
    void refusesCommandsBeforeAuthAndWrongPasswords() throws IOException {
        assertThat(redis.kind()).isEqualTo(kind());
        assertThatThrownBy(() -> RespClient.connect(redis.address(), "", Duration.ofSeconds(2)))
                .isInstanceOf(RedisException.class).hasMessageContaining("NOAUTH");
        assertThatThrownBy(() -> RespClient.connect(redis.address(), "wrong", Duration.ofSeconds(2)))
                .isInstanceOf(RedisException.class).hasMessageContaining("WRONGPASS");
        try (var client = connect()) {
            client.ping();
        }
    }

    @Test
    void listsAreFirstInFirstOut() throws IOException {
        try (var client = connect()) {
            assertThat(client.rpush("fifo", "one")).isEqualTo(1);
            assertThat(client.rpush("fifo", "two")).isEqualTo(2);
            assertThat(client.llen("fifo")).isEqualTo(2);
            assertThat(client.lpop("fifo")).isEqualTo("one");
            assertThat(client.lpop("fifo")).isEqualTo("two");
            assertThat(client.lpop("fifo")).isNull();
            assertThat(client.llen("fifo")).isZero();
        }
    }

    @Test
    void blockingPopWaitsForAPushFromAnotherConnection() throws Exception {
        try (var waiter = connect(); var pusher = connect()) {
            var popped = CompletableFuture.supplyAsync(() -> {
                try {
                    return waiter.blpop("wake", 10);
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            Thread.sleep(300);
            assertThat(popped).isNotDone();
            pusher.rpush("wake", "{\"voter_id\":\"v\",\"vote\":\"a\"}");
            assertThat(popped.get(5, TimeUnit.SECONDS)).isEqualTo("{\"voter_id\":\"v\",\"vote\":\"a\"}");
        }
    }

    @Test
    void blockingPopTimesOutWithNull() throws IOException {
        try (var client = connect()) {
            assertThat(client.blpop("empty-list", 1)).isNull();
            client.ping(); // the connection is still usable after a timeout
        }
    }

    @Test
    void unknownCommandsAreErrors() throws IOException {
        try (var client = connect()) {
            assertThatThrownBy(() -> client.call("NOSUCHCOMMAND")).isInstanceOf(RedisException.class).hasMessageContaining("unknown command");
        }
    }

    @Test
    void restartCutsClientsKeepsAddressAndForgetsLists() throws IOException {
        try (var client = connect()) {
            client.rpush("forgotten", "x");
            var address = redis.address();
            redis.restart();
            assertThat(redis.address()).isEqualTo(address);
            assertThatThrownBy(client::ping).isInstanceOf(IOException.class);
        }
        try (var again = connect()) {
            assertThat(again.llen("forgotten")).isZero();
        }
    }
}
