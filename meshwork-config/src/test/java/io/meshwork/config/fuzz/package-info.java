/**
 * Fuzz tests (Jazzer) for the YAML loader: in a normal test run they replay their seed corpus
 * (regression mode); with {@code JAZZER_FUZZ=1} they fuzz. See docs/reliability.md.
 */
package io.meshwork.config.fuzz;
