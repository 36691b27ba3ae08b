/**
 * Access logging: one line per HTTP exchange or TCP connection in Envoy's default text format,
 * written by a background thread so that event loops never block on a file or a terminal.
 */
package io.meshwork.proxy.accesslog;
