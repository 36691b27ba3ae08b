/** The control plane ({@code meshwork control}): wires the store, registry, translator, xDS server and REST API. */
package io.meshwork.control;
