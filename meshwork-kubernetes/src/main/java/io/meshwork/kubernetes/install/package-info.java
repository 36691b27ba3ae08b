/**
 * The installation as Kubernetes objects: Istio-named CRDs for the kinds Meshwork reads, the
 * {@code meshwork-system} namespace, the control plane, console and ingress gateway, least-privilege
 * RBAC and the admission webhook configurations. One renderer feeds {@code meshwork install},
 * {@code meshwork uninstall} and the checked-in {@code deploy/kubernetes/meshwork.yaml}.
 */
package io.meshwork.kubernetes.install;
