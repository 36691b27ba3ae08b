package io.meshwork.config.kube;

import io.meshwork.config.schema.Constraints.Lenient;
import java.util.List;

/** A Namespace's spec (finalizers only); the mesh reads the namespace's labels (istio-injection) from metadata. */
@Lenient
public record NamespaceSpec(List<String> finalizers) {}
