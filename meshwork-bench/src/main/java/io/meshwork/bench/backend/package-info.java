/**
 * The fake backend: an HTTP/1.1, h2c and gRPC echo server in its own process, with a configurable response size
 * and delay, so benchmarks measure the path between client and backend rather than the backend.
 */
package io.meshwork.bench.backend;
