package io.meshwork.config.kube;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshwork.config.schema.Constraints.Lenient;
import java.util.List;

/**
 * A Kubernetes ServiceAccount (its fields sit at the top level, not under spec). The mesh only
 * needs its name: a workload's identity is {@code spiffe://<trust domain>/ns/<ns>/sa/<name>}.
 */
@Lenient
public record ServiceAccount(List<JsonNode> secrets, List<JsonNode> imagePullSecrets, Boolean automountServiceAccountToken) {}
