/**
 * The voting app: four plain Java services (vote v1/v2, worker, result) that talk to Redis and
 * PostgreSQL and know nothing of the mesh, so that the mesh can be shown around an application it
 * did not shape. {@link io.meshwork.samples.voting.VotingApp} launches any of them by name.
 */
package io.meshwork.samples.voting;
