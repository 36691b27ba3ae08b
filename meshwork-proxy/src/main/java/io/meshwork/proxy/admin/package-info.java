/**
 * The admin interface on the bootstrap's (loopback) admin address: {@code /ready},
 * {@code /config_dump}, {@code /clusters}, {@code /stats}, in Envoy's formats.
 */
package io.meshwork.proxy.admin;
