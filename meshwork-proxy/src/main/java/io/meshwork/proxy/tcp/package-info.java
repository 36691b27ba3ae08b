/** Opaque TCP proxying ({@code envoy.filters.network.tcp_proxy}): relay bytes to one cluster host. */
package io.meshwork.proxy.tcp;
