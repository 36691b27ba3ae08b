/**
 * The service registry: services (Kubernetes Services, ServiceEntries) and their endpoints
 * (WorkloadEntries, Pods, auto-registered proxies), rebuilt from each store snapshot.
 */
package io.meshwork.control.registry;
