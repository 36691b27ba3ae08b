/**
 * Sidecars in capture mode inside {@code io.meshwork.testing.netns} pods: the capture rules applied
 * in the pod's namespace and a proxy whose sockets live in the pod as uid 1337. What
 * {@code meshwork demo --transparent} and the transparent-mesh tests build on.
 */
package io.meshwork.cli.transparent;
