package io.meshwork.config;

import java.util.List;

/**
 * A kind of resource Meshwork reads: its API group, the versions accepted, and the record its
 * {@code spec} binds to.
 *
 * @param group API group ({@code networking.istio.io}; empty for the Kubernetes core group)
 * @param kind the kind ({@code VirtualService})
 * @param plural the REST resource name ({@code virtualservices})
 * @param versions accepted versions, preferred first
 * @param specType the record {@code spec} binds to; for kinds without a spec (ServiceAccount) the
 *     record binds the whole object less apiVersion, kind and metadata
 * @param specRequired whether a document without {@code spec} is invalid
 * @param namespaced whether resources live in a namespace
 * @param support whether Meshwork acts on the kind
 * @param shape where the spec lives in the document
 */
public record Kind(
    String group,
    String kind,
    String plural,
    List<String> versions,
    Class<?> specType,
    boolean specRequired,
    boolean namespaced,
    Support support,
    Shape shape) {

  /** Whether Meshwork acts on resources of a kind. */
  public enum Support {
    /** Read, validated and acted on. */
    SUPPORTED,
    /** Recognised so that it is never silently dropped, reported with a warning, not acted on. */
    UNSUPPORTED
  }

  /** Where a kind keeps its content. */
  public enum Shape {
    /** Istio and Gateway API kinds: {@code spec}, unknown top-level fields rejected. */
    SPEC,
    /** Kubernetes built-in kinds with a {@code spec}: other top-level fields (status) ignored. */
    KUBE_SPEC,
    /** Kubernetes kinds whose fields sit at the top level (ServiceAccount). */
    KUBE_TOP_LEVEL
  }

  public static Kind istio(String group, String kind, String plural, List<String> versions, Class<?> specType, boolean specRequired) {
    return new Kind(group, kind, plural, versions, specType, specRequired, true, Support.SUPPORTED, Shape.SPEC);
  }

  public static Kind unsupported(String group, String kind, String plural, List<String> versions) {
    return new Kind(group, kind, plural, versions, null, false, true, Support.UNSUPPORTED, Shape.SPEC);
  }

  /** {@code group/version} for the preferred version ({@code v1} for the core group). */
  public String apiVersion() {
    return apiVersion(versions.getFirst());
  }

  public String apiVersion(String version) {
    return group.isEmpty() ? version : group + "/" + version;
  }

  public boolean supported() {
    return support == Support.SUPPORTED;
  }
}
