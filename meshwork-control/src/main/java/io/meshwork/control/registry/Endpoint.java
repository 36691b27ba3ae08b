package io.meshwork.control.registry;

import java.util.Map;

/**
 * One address of a service port: the workload's address and the port it listens on.
 *
 * @param address IP or host name
 * @param port the workload port
 * @param labels the workload's labels (subsets select on them)
 * @param weight load balancing weight (1 when unset)
 * @param locality {@code region/zone/subzone}, may be empty
 * @param workload {@code ns/name} of the workload, for describe
 * @param healthy whether it may receive traffic
 */
public record Endpoint(String address, int port, Map<String, String> labels, int weight, String locality, String workload, boolean healthy) {}
