package io.meshwork.samples.voting.worker;

import io.meshwork.samples.voting.http.Json;
import java.util.Map;

/** One vote message from the Redis list: {@code {"voter_id":"...","vote":"a"}}. */
record Vote(String voterId, String vote) {
    private static final int MAX = 255;

    /**
     * Parses a message.
     *
     * @throws IllegalArgumentException when it is not a vote; the worker drops such a message
     *     rather than blocking the queue behind it forever
     */
    static Vote parse(String message) {
        Map<String, String> fields = Json.parseFlatObject(message);
        String voter = fields.get("voter_id");
        String vote = fields.get("vote");
        if (voter == null || voter.isBlank() || voter.length() > MAX) {
            throw new IllegalArgumentException("missing or oversized voter_id");
        }
        if (vote == null || vote.isBlank() || vote.length() > MAX) {
            throw new IllegalArgumentException("missing or oversized vote");
        }
        return new Vote(voter, vote);
    }
}
