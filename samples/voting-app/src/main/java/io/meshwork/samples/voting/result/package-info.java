/**
 * The result service: counts the {@code votes} table every second and pushes percentages and the
 * total to browsers with server-sent events, plus a JSON API for scripts and tests.
 */
package io.meshwork.samples.voting.result;
