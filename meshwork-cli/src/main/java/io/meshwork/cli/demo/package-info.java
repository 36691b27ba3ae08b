/**
 * {@code meshwork demo}: the voting app inside the mesh on one machine, in local mode (each workload
 * on its own loopback address, apps reaching Redis and PostgreSQL through their sidecar's local
 * binds, the ingress gateway on its own address), or behind an L4 {@link io.meshwork.cli.demo.RoutingMesh}
 * ({@code --mode routing}). Everything runs in the demo's JVM except Redis and PostgreSQL, whose
 * processes the voting app's local helpers own and stop. {@link io.meshwork.cli.demo.DetachedDemo}
 * runs that JVM in the background ({@code --detach}) and finds it again through the
 * {@link io.meshwork.cli.demo.DemoState state directory} for {@code status} and {@code stop}.
 */
package io.meshwork.cli.demo;
