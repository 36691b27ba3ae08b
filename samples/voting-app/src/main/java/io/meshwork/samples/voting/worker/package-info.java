/**
 * The worker: moves votes from the Redis list {@code votes} into the PostgreSQL table
 * {@code votes}, one row per voter, at least once, through Redis and PostgreSQL restarts.
 */
package io.meshwork.samples.voting.worker;
