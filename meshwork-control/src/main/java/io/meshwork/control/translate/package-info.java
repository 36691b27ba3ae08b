/**
 * Translation of Istio config and the registry into Envoy v3 resources for one proxy, named the
 * way Istio names them ({@code outbound|9080|v2|reviews.default.svc.cluster.local}, route
 * {@code 9080}, {@code virtualInbound}, {@code inbound|9080||}).
 */
package io.meshwork.control.translate;
