/**
 * Upstream clusters at run time: hosts with live counters, load balancers, and the per-event-loop
 * HTTP/1.1 connection pools. Configuration comes from {@link io.meshwork.proxy.config.ClusterConfig};
 * a {@link io.meshwork.proxy.cluster.ClusterRuntime} is kept across updates while its config is equal.
 */
package io.meshwork.proxy.cluster;
