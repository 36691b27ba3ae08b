/** Benchmarks: they print figures and write them to docs/benchmarks.md; they never assert on time. */
package io.meshwork.bench;
