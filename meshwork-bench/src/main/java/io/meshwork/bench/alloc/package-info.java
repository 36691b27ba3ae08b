/**
 * The proxy's per-request heap allocation and CPU on the HTTP/1.1 path, measured per thread
 * ({@code meshwork bench alloc}): allocation is deterministic where timing on a shared machine is not,
 * so it is the figure to compare before and after a change to the request path.
 */
package io.meshwork.bench.alloc;
