/**
 * The little HTTP and JSON plumbing the services share, on the JDK's own HTTP server with one
 * virtual thread per exchange, so the sample app has no web framework to explain.
 */
package io.meshwork.samples.voting.http;
