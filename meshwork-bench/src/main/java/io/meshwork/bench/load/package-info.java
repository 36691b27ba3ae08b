/**
 * The load generator: HTTP/1.1 keep-alive, h2c or gRPC (unary, over h2c) over N connections, closed loop (saturation) or open loop at
 * a constant rate with latencies measured from each request's intended start time, so a stalled
 * server cannot hide its stall (coordinated omission, as wrk2 and fortio correct it). It runs in its
 * own process ({@link io.meshwork.bench.load.LoadGenMain}) and prints one JSON document.
 */
package io.meshwork.bench.load;
