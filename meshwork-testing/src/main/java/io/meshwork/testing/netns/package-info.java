/**
 * Pods on one machine: {@link io.meshwork.testing.netns.PodNetwork} creates a Linux bridge and,
 * per workload, a network namespace joined to it by a veth pair, with an address from
 * 198.18.0.0/15 (RFC 2544's benchmarking range, so nothing real is shadowed), service names in the
 * namespace's {@code /etc/hosts}, and virtual service addresses like Kubernetes ClusterIPs. A
 * {@link io.meshwork.testing.netns.Pod} runs commands as root, as the app user or as the proxy's
 * uid 1337, and gives Java code threads that live inside the namespace. Everything is named with
 * the {@code mw-} prefix and the owning process id, removed on close, and removed on the next
 * start if the owner died. Needs root and iproute2; tests skip otherwise. Notes: {@code
 * meshwork-proxy/CAPTURE.md}.
 */
package io.meshwork.testing.netns;
