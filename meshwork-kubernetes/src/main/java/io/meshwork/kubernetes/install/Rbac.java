package io.meshwork.kubernetes.install;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Least-privilege RBAC for the control plane: read (get/list/watch) what the informers watch;
 * write only statuses of Istio resources, Events, TokenReviews, the root ConfigMap by name, and the two webhook
 * configurations by name (to fill in their {@code caBundle}). Secrets are read cluster-wide (as istiod
 * does) because gateways name {@code kubernetes.io/tls} (or Istio's generic Opaque) Secrets of their namespace with
 * {@code tls.credentialName}; they are written only in its own namespace (a Role, not a ClusterRole),
 * where the shared CA key lives.
 */
final class Rbac {
  private static final List<String> READ = List.of("get", "list", "watch");

  private Rbac() {}

  static List<HasMetadata> render(InstallOptions o) {
    var rules = new ArrayList<PolicyRule>();
    rules.add(rule(List.of(""), List.of("services", "pods", "namespaces", "serviceaccounts"), READ));
    rules.add(rule(List.of("discovery.k8s.io"), List.of("endpointslices"), READ));
    // Gateway tls.credentialName: TLS Secrets of any namespace are served over SDS, as istiod reads them. RBAC
    // cannot be limited by Secret type; the informers ask only for types kubernetes.io/tls and Opaque (field selectors),
    // and of Opaque ones store only the credential keys (cert, key, cacert, tls.crt, tls.key, ca.crt).
    rules.add(rule(List.of(""), List.of("secrets"), READ));
    var groups = Crds.GROUPS.stream().sorted().toList();
    rules.add(rule(groups, List.of("*"), READ));
    rules.add(rule(groups, List.of("*/status"), List.of("get", "update", "patch")));
    rules.add(rule(List.of("authentication.k8s.io"), List.of("tokenreviews"), List.of("create")));
    rules.add(rule(List.of("", "events.k8s.io"), List.of("events"), List.of("create", "patch")));
    // The root ConfigMap in every namespace (as istiod's istio-ca-root-cert); create cannot be limited by name.
    rules.add(rule(List.of(""), List.of("configmaps"), List.of("create")));
    rules.add(new PolicyRuleBuilder().withApiGroups("").withResources("configmaps").withResourceNames(Names.ROOT_CERT_CONFIGMAP)
        .withVerbs("get", "patch").build());
    rules.add(new PolicyRuleBuilder().withApiGroups("admissionregistration.k8s.io")
        .withResources("mutatingwebhookconfigurations", "validatingwebhookconfigurations")
        .withResourceNames(Names.INJECTOR_WEBHOOK, Names.VALIDATOR_WEBHOOK)
        .withVerbs("get", "update", "patch").build());
    var labels = Map.of(Names.PART_OF, Names.MESHWORK);
    var clusterRole = new ClusterRoleBuilder().withNewMetadata().withName(Names.CONTROL).withLabels(labels).endMetadata()
        .withRules(rules).build();
    var clusterBinding = new ClusterRoleBindingBuilder().withNewMetadata().withName(Names.CONTROL).withLabels(labels).endMetadata()
        .withNewRoleRef("rbac.authorization.k8s.io", "ClusterRole", Names.CONTROL)
        .addNewSubject().withKind("ServiceAccount").withName(Names.CONTROL).withNamespace(o.namespace()).endSubject()
        .build();
    // create cannot be limited by name (the name is not known before the object exists).
    var role = new RoleBuilder().withNewMetadata().withName(Names.CONTROL).withNamespace(o.namespace()).withLabels(labels).endMetadata()
        .withRules(
            new PolicyRuleBuilder().withApiGroups("").withResources("secrets").withVerbs("create").build(),
            new PolicyRuleBuilder().withApiGroups("").withResources("secrets").withResourceNames(Names.CA_SECRET)
                .withVerbs("get", "update").build())
        .build();
    var roleBinding = new RoleBindingBuilder().withNewMetadata().withName(Names.CONTROL).withNamespace(o.namespace()).withLabels(labels).endMetadata()
        .withNewRoleRef("rbac.authorization.k8s.io", "Role", Names.CONTROL)
        .addNewSubject().withKind("ServiceAccount").withName(Names.CONTROL).withNamespace(o.namespace()).endSubject()
        .build();
    return List.of(clusterRole, clusterBinding, role, roleBinding);
  }

  private static PolicyRule rule(List<String> groups, List<String> resources, List<String> verbs) {
    return new PolicyRuleBuilder().withApiGroups(groups).withResources(resources).withVerbs(verbs).build();
  }
}
