/**
 * HTTP plumbing on the JDK's built-in server (one virtual thread per exchange): request helpers,
 * the span ingest endpoints and the static UI files served from the jar.
 */
package io.meshwork.console.http;
