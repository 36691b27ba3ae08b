package io.meshwork.control.registry;

import java.util.Map;

/**
 * An instance of an application: a WorkloadEntry (written or auto-registered) or a Pod with an IP.
 *
 * @param name resource name
 * @param namespace its namespace
 * @param address its IP (or host name)
 * @param labels its labels
 * @param ports named ports ({@code http -> 9080}); a service's target port name is looked up here
 * @param weight load balancing weight
 * @param locality locality, may be empty
 * @param serviceAccount its service account
 * @param healthy whether it receives traffic
 */
public record Workload(
    String name, String namespace, String address, Map<String, String> labels, Map<String, Integer> ports, int weight,
    String locality, String serviceAccount, boolean healthy) {}
