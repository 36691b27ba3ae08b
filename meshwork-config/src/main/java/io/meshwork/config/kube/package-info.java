/** Model records for the Kubernetes built-in kinds the registry reads from manifests (Service, ServiceAccount, Deployment, Pod, Namespace). */
package io.meshwork.config.kube;
