package io.meshwork.kubernetes.install;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfigurationBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfigurationBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.WebhookClientConfig;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.WebhookClientConfigBuilder;
import java.util.List;
import java.util.Map;

/**
 * The admission webhook configurations. Injection follows Istio's selectors: a namespace labelled
 * {@code istio-injection=enabled} (or {@code meshwork-injection=enabled}) injects every pod not
 * labelled {@code sidecar.istio.io/inject=false}; elsewhere a pod labelled
 * {@code sidecar.istio.io/inject=true} is injected. The annotation of the same name is honoured by
 * the injector itself (selectors cannot see annotations). The {@code caBundle} is left empty: the
 * control plane fills it in with its mesh CA root when it starts, as istiod does.
 * Validation starts with {@code failurePolicy: Ignore} so that config can still be applied while the
 * control plane is down.
 */
final class Webhooks {
  static final String INJECT_LABEL = "sidecar.istio.io/inject";

  private Webhooks() {}

  static List<HasMetadata> render(InstallOptions o) {
    var labels = Map.of(Names.PART_OF, Names.MESHWORK);
    var notOptedOut = new LabelSelectorBuilder().addNewMatchExpression().withKey(INJECT_LABEL).withOperator("NotIn")
        .withValues("false").endMatchExpression().build();
    var optedIn = new LabelSelectorBuilder().addNewMatchExpression().withKey(INJECT_LABEL).withOperator("In")
        .withValues("true").endMatchExpression().build();
    var istioNs = new LabelSelectorBuilder().addNewMatchExpression().withKey("istio-injection").withOperator("In")
        .withValues("enabled").endMatchExpression().build();
    var meshworkNs = new LabelSelectorBuilder()
        .addNewMatchExpression().withKey("meshwork-injection").withOperator("In").withValues("enabled").endMatchExpression()
        .addNewMatchExpression().withKey("istio-injection").withOperator("DoesNotExist").endMatchExpression().build();
    var unlabelledNs = new LabelSelectorBuilder()
        .addNewMatchExpression().withKey("istio-injection").withOperator("DoesNotExist").endMatchExpression()
        .addNewMatchExpression().withKey("meshwork-injection").withOperator("DoesNotExist").endMatchExpression()
        .addNewMatchExpression().withKey("kubernetes.io/metadata.name").withOperator("NotIn")
        .withValues("kube-system", o.namespace()).endMatchExpression().build();
    var mutating = new MutatingWebhookConfigurationBuilder()
        .withNewMetadata().withName(Names.INJECTOR_WEBHOOK).withLabels(labels).endMetadata()
        .withWebhooks(
            inject("namespace.sidecar-injector.meshwork.io", o, istioNs, notOptedOut),
            inject("meshwork-namespace.sidecar-injector.meshwork.io", o, meshworkNs, notOptedOut),
            inject("object.sidecar-injector.meshwork.io", o, unlabelledNs, optedIn))
        .build();
    var validating = new ValidatingWebhookConfigurationBuilder()
        .withNewMetadata().withName(Names.VALIDATOR_WEBHOOK).withLabels(labels).endMetadata()
        .addNewWebhook()
          .withName("validation.meshwork.io")
          .withClientConfig(client(o, Names.VALIDATE_PATH))
          .addNewRule().withApiGroups(Crds.GROUPS.stream().sorted().toList()).withApiVersions("*")
            .withOperations("CREATE", "UPDATE").withResources("*").withScope("*").endRule()
          .withFailurePolicy("Ignore").withSideEffects("None").withAdmissionReviewVersions("v1").withTimeoutSeconds(10)
        .endWebhook()
        .build();
    return List.of(mutating, validating);
  }

  private static MutatingWebhook inject(String name, InstallOptions o, LabelSelector ns, LabelSelector object) {
    return new MutatingWebhookBuilder()
        .withName(name)
        .withClientConfig(client(o, Names.INJECT_PATH))
        .addNewRule().withApiGroups("").withApiVersions("v1").withOperations("CREATE").withResources("pods").withScope("*").endRule()
        .withNamespaceSelector(ns)
        .withObjectSelector(object)
        .withFailurePolicy("Fail").withSideEffects("None").withReinvocationPolicy("Never")
        .withAdmissionReviewVersions("v1").withTimeoutSeconds(10)
        .build();
  }

  private static WebhookClientConfig client(InstallOptions o, String path) {
    return new WebhookClientConfigBuilder().withNewService()
        .withName(Names.CONTROL).withNamespace(o.namespace()).withPath(path).withPort(443).endService().build();
  }
}
