/**
 * Backing services for running the app on one machine with nothing installed but a JDK: a real
 * {@code redis-server} or PostgreSQL started in a temporary directory on a loopback port with a
 * generated password when the binaries are installed, and an embedded Redis stand-in when
 * {@code redis-server} is not. Used by the tests and by whatever launches the demo.
 */
package io.meshwork.samples.voting.local;
