/**
 * {@code meshwork bench console}: trace ingest rate with the store at its cap, graph API latency
 * for 100 services and 300 edges, and the caps checked throughout. Prints figures and returns
 * markdown for {@code docs/benchmarks.md}; it asserts nothing about time.
 */
package io.meshwork.console.bench;
