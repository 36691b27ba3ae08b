/**
 * Fuzz tests (Jazzer) for the proxy's parsers and matchers. In a normal test run they replay their
 * seed corpus and every saved crash (regression mode, a few seconds); with {@code JAZZER_FUZZ=1}
 * one of them fuzzes for its {@code maxDuration}. See docs/reliability.md.
 */
package io.meshwork.proxy.fuzz;
