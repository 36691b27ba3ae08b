/** Benchmarks run by name ({@code -Dtest=...Benchmark}); they print numbers and assert only bounds, never timings. */
package io.meshwork.console.bench;
