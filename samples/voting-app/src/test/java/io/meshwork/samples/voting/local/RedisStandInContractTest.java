package io.meshwork.samples.voting.local;

/** {@link RedisContract} against the embedded stand-in. */
class RedisStandInContractTest extends RedisContract {

    @Override
    LocalRedis.Kind kind() {
        return LocalRedis.Kind.STAND_IN;
    }
}
