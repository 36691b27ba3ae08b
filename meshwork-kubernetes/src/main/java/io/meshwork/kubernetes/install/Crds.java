package io.meshwork.kubernetes.install;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersionBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaPropsBuilder;
import io.meshwork.config.Kind;
import io.meshwork.config.Kinds;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One CustomResourceDefinition per Istio kind Meshwork acts on, under Istio's group, plural,
 * short names and served versions, so that existing Istio YAML and {@code kubectl get vs} work
 * unchanged. The schema preserves unknown fields: the API server stores what it is given and
 * Meshwork's own validator (the validating webhook, the same code as {@code meshwork validate})
 * reports field errors, with the same wording as Istio's CRD schema would.
 */
public final class Crds {
  /** The API groups whose kinds get a CRD. Gateway API CRDs are installed from their own project. */
  public static final Set<String> GROUPS = Set.of("networking.istio.io", "security.istio.io", "telemetry.istio.io");

  private static final Map<String, List<String>> SHORT_NAMES = Map.of(
      "virtualservices", List.of("vs"), "destinationrules", List.of("dr"), "gateways", List.of("gw"),
      "serviceentries", List.of("se"), "workloadentries", List.of("we"), "workloadgroups", List.of("wg"),
      "peerauthentications", List.of("pa"), "authorizationpolicies", List.of("ap"), "requestauthentications", List.of("ra"));

  private Crds() {}

  /** The kinds that get a CRD, in the order of {@link Kinds#all()}. */
  public static List<Kind> kinds() {
    return Kinds.all().stream().filter(k -> GROUPS.contains(k.group()) && k.supported()).toList();
  }

  public static List<CustomResourceDefinition> render() {
    return kinds().stream().map(Crds::of).toList();
  }

  static CustomResourceDefinition of(Kind k) {
    var versions = new ArrayList<CustomResourceDefinitionVersion>();
    // Istio stores the oldest version (v1alpha3, v1beta1, v1alpha1) and serves them all; so do we, so
    // that objects written by an Istio installation read back the same way.
    var storage = k.versions().getLast();
    for (var v : k.versions()) {
      versions.add(new CustomResourceDefinitionVersionBuilder()
          .withName(v).withServed(true).withStorage(v.equals(storage))
          .withNewSchema().withOpenAPIV3Schema(new JSONSchemaPropsBuilder()
              .withType("object")
              .withXKubernetesPreserveUnknownFields(true)
              .build()).endSchema()
          .withNewSubresources().withNewStatus().endStatus().endSubresources()
          .build());
    }
    var category = k.group().replace('.', '-');
    return new CustomResourceDefinitionBuilder()
        .withNewMetadata()
          .withName(k.plural() + "." + k.group())
          .withLabels(Map.of(Names.PART_OF, Names.MESHWORK))
        .endMetadata()
        .withNewSpec()
          .withGroup(k.group())
          .withScope(k.namespaced() ? "Namespaced" : "Cluster")
          .withNewNames()
            .withKind(k.kind()).withListKind(k.kind() + "List").withPlural(k.plural())
            .withSingular(k.kind().toLowerCase(java.util.Locale.ROOT))
            .withShortNames(SHORT_NAMES.getOrDefault(k.plural(), List.of()))
            .withCategories("istio-io", category)
          .endNames()
          .withVersions(versions)
        .endSpec()
        .build();
  }
}
