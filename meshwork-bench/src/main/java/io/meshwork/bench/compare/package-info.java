/**
 * {@code meshwork bench compare}: starts the backend, the proxies (ours or HAProxy) and the load
 * generator as separate processes on loopback, one scenario at a time, reads CPU and memory of each
 * proxy from {@code /proc}, and renders the comparison table. Every process it starts is stopped
 * when the scenario ends, on failure and on Ctrl-C.
 */
package io.meshwork.bench.compare;
