/**
 * The vote service: a page with two options that pushes each vote onto the Redis list
 * {@code votes}. Version v1 and v2 differ visibly so canary routing can be seen and tested.
 */
package io.meshwork.samples.voting.vote;
