/**
 * Kubernetes as the control plane's source of truth: fabric8 informers on Services,
 * EndpointSlices, Pods, ServiceAccounts, Namespaces, the Istio kinds and gateway credential Secrets
 * ({@code kubernetes.io/tls}, and Istio's generic {@code Opaque} form: for Gateway
 * {@code tls.credentialName}, nothing else of Secrets) feed the
 * {@link io.meshwork.control.store.ConfigStore} one object at a time, each validated by the same
 * loader as {@code meshwork validate}; an invalid object is reported as a Kubernetes Event and
 * left out, never blocking the others.
 */
package io.meshwork.kubernetes.sync;
