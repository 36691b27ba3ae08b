package io.meshwork.samples.voting;

import io.meshwork.samples.voting.local.LocalRedis;
import org.junit.jupiter.api.condition.EnabledIf;

/** {@link VotingAppContract} with the embedded Redis stand-in. */
@EnabledIf(value = "io.meshwork.samples.voting.VotingAppContract#postgresAvailable",
        disabledReason = "needs PostgreSQL: none installed (apt-get install postgresql, or PG_BIN) and the bundled binaries are for linux x86_64 only")
class VotingAppWithRedisStandInTest extends VotingAppContract {

    @Override
    LocalRedis.Kind kind() {
        return LocalRedis.Kind.STAND_IN;
    }
}
