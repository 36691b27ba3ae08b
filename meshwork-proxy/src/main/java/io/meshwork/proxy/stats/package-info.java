/**
 * Counters named the way Envoy names them ({@code cluster.<name>.upstream_rq_total},
 * {@code http.<stat_prefix>.downstream_rq_total}), resolved once per cluster/listener so that the
 * request path increments a field and never builds a name.
 */
package io.meshwork.proxy.stats;
