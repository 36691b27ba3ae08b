/**
 * Jaeger's HTTP query API ({@code /api/services}, {@code /api/traces}, ...) over the trace store,
 * with Jaeger's JSON shapes so Grafana's Jaeger data source and Kiali can use the console as
 * their Jaeger.
 */
package io.meshwork.console.jaeger;
