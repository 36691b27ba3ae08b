/**
 * {@code meshwork demo}: the voting app inside the mesh on one machine, in local mode (each workload
 * on its own loopback address, apps reaching Redis and PostgreSQL through their sidecar's local
 * binds, the ingress gateway on its own address). Everything runs in the demo's JVM except Redis and
 * PostgreSQL, whose processes the voting app's local helpers own and stop.
 */
package io.meshwork.cli.demo;
