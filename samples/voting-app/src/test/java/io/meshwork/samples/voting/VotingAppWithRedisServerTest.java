package io.meshwork.samples.voting;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.meshwork.samples.voting.local.LocalRedis;

/** {@link VotingAppContract} with the installed {@code redis-server}. */
class VotingAppWithRedisServerTest extends VotingAppContract {

    @Override
    LocalRedis.Kind kind() {
        return LocalRedis.Kind.REDIS_SERVER;
    }

    @Override
    void assumeAvailable() {
        assumeTrue(LocalRedis.installedServer().isPresent(),
                "redis-server is not installed (apt-get install redis-server); VotingAppWithRedisStandInTest covers the app with the stand-in");
    }
}
