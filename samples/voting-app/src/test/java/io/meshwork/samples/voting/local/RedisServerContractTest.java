package io.meshwork.samples.voting.local;

import static org.junit.jupiter.api.Assumptions.assumeTrue;


/** {@link RedisContract} against the installed {@code redis-server}. */
class RedisServerContractTest extends RedisContract {

    @Override
    void assumeAvailable() {
        assumeTrue(LocalRedis.installedServer().isPresent(),
                "redis-server is not installed (apt-get install redis-server); the stand-in runs the same contract in RedisStandInContractTest");
    }

    @Override
    LocalRedis.Kind kind() {
        return LocalRedis.Kind.REDIS_SERVER;
    }
}
