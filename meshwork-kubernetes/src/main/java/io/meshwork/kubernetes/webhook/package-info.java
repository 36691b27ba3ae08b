/**
 * The admission webhooks the API server calls (HTTPS, port 15017 behind the control plane
 * Service's 443): {@code /inject} answers pod CREATE requests with a JSON Patch adding the sidecar,
 * {@code /validate} runs the same validator as {@code meshwork validate} on Istio resources. The
 * serving certificate is signed by the mesh CA's root, which the control plane writes into the
 * webhook configurations' {@code caBundle}.
 */
package io.meshwork.kubernetes.webhook;
