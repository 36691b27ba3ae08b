/**
 * JMH micro-benchmarks of the proxy's hot path through its public APIs: route matching over 1,000
 * routes, load-balancer picks, HTTP/1.1 request-head parsing and response-head encoding, and
 * recording the istio_* metrics of one request. Run with {@code ./meshwork bench jmh}.
 */
package io.meshwork.bench.jmh;
