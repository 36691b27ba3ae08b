package io.meshwork.samples.voting;

import io.meshwork.samples.voting.local.LocalRedis;
import org.junit.jupiter.api.condition.EnabledIf;

/** {@link VotingAppContract} with the installed {@code redis-server}. */
@EnabledIf(value = "redisServerAndPostgres", disabledReason = "needs redis-server (apt-get install redis-server; VotingAppWithRedisStandInTest covers the app with the stand-in)"
        + " and PostgreSQL (installed, PG_BIN, or the bundled linux-x86_64 binaries)")
class VotingAppWithRedisServerTest extends VotingAppContract {

    @Override
    LocalRedis.Kind kind() {
        return LocalRedis.Kind.REDIS_SERVER;
    }

    static boolean redisServerAndPostgres() {
        return LocalRedis.installedServer().isPresent() && postgresAvailable();
    }
}
