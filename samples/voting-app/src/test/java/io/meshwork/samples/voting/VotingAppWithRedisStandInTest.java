package io.meshwork.samples.voting;

import io.meshwork.samples.voting.local.LocalRedis;

/** {@link VotingAppContract} with the embedded Redis stand-in. */
class VotingAppWithRedisStandInTest extends VotingAppContract {

    @Override
    LocalRedis.Kind kind() {
        return LocalRedis.Kind.STAND_IN;
    }
}
