/**
 * Transparent interception, as Istio's {@code istio-iptables} does it: {@link
 * io.meshwork.proxy.capture.CaptureRules} turns a {@link io.meshwork.proxy.capture.CaptureConfig}
 * into a {@link io.meshwork.proxy.capture.CapturePlan} (iptables-restore text plus policy routing),
 * {@link io.meshwork.proxy.capture.CaptureInstaller} applies and removes it, and {@link
 * io.meshwork.proxy.capture.OriginalDestination} tells a listener where a captured connection was
 * going. Design notes: {@code meshwork-proxy/CAPTURE.md}.
 */
package io.meshwork.proxy.capture;
