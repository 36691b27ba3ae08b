package io.meshwork.samples.voting.local;

import org.junit.jupiter.api.condition.EnabledIf;

/** {@link RedisContract} against the installed {@code redis-server}. */
@EnabledIf(value = "redisServerInstalled", disabledReason = "redis-server is not installed (apt-get install redis-server); the stand-in runs the same contract in RedisStandInContractTest")
class RedisServerContractTest extends RedisContract {

    static boolean redisServerInstalled() {
        return LocalRedis.installedServer().isPresent();
    }

    @Override
    LocalRedis.Kind kind() {
        return LocalRedis.Kind.REDIS_SERVER;
    }
}
